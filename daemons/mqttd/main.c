/*
 * main.c — station-mqttd, the device core: the MQTT side of devices (SPEC §5).
 *
 * Start-up is honest (ARCHITECTURE.md rule 10): a configuration that does not load, a
 * value out of range or a missing/empty password file is said on stderr and the program
 * exits non-zero before touching the network. The database is connected through
 * lib/db_link (LISTEN device_commands, capped backoff, as every daemon does); until the
 * station id is read mqttd has no topics to subscribe to, so it waits for it first —
 * polling the link, never blocking on it, a stop signal ending the wait — then
 * reconciles stale online devices, connects to the broker, runs the loop
 * (adapters/event_loop.c) until SIGTERM or SIGINT, shuts down cleanly and exits 0.
 *
 * Usage: station-mqttd   (configuration: $STATION_CONFIG, every key overridable by
 * STATION_<KEY>; see docs/mqttd.md). Never logs the MQTT password.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "adapters/adapters.h"
#include "application/mqttd.h"
#include "config.h"
#include "infrastructure/repo.h"
#include "log.h"
#include "stop_signal.h"
#include "timeutil.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	stop_requested = sig;
}

static int usage(FILE *out, int status)
{
	fputs("usage: station-mqttd\n"
	      "  the device core: speaks the devices' MQTT protocol and keeps their rows.\n"
	      "  configuration: $STATION_CONFIG (default " SYSCONFDIR "/smart-station/station.conf),\n"
	      "  keys db.*, mqtt.* (docs/mqttd.md); each overridable by STATION_<KEY>.\n",
	      out);
	return status;
}

/* Every setting (cfg_load() has checked their values) and the password file. */
static int read_config(struct mqttd_config *c)
{
	c->host = cfg_string("mqtt.host");
	c->port = (int)cfg_int("mqtt.port");
	c->username = cfg_string("mqtt.daemon_username");
	c->max_payload = (size_t)cfg_int("mqtt.max_payload");
	c->json_max_depth = (int)cfg_int("mqtt.json_max_depth");
	c->heartbeat_timeout_s = cfg_int("mqtt.heartbeat_timeout");
	c->batch_max = (size_t)cfg_int("mqtt.batch_max");
	c->batch_interval_ms = cfg_int("mqtt.batch_interval_ms");
	c->password = cfg_read_secret("mqtt.daemon_password_file", CFG_SECRET_MIN_LENGTH);
	if (!c->password) {
		log_error("cannot start without the MQTT password of the station's daemons");
		return -1;
	}
	return 0;
}

/*
 * The station id, waiting out database outages (polling the link; the stop signals are
 * let through while waiting). NULL when there is no station row or a stop signal came
 * first.
 */
static char *read_station_id(struct mqttd *m, const sigset_t *unblocked)
{
	while (!stop_requested) {
		if (mqttd_db_ready(m, false)) {
			const char *id = NULL;
			enum db_status st = repo_station_id(m->db, m->batch_arena, &id);
			if (st == DB_OK) {
				char *copy = id ? strdup(id) : NULL;
				arena_reset(m->batch_arena);
				return copy;
			}
			if (st != DB_UNAVAILABLE) {
				/* The schema is not there (or broken): a retry would not help. */
				log_error("cannot read the station id (%s); run station-migrate", db_last_error(m->db));
				exit(1);
			}
			log_warn("cannot read the station id (%s); retrying", db_last_error(m->db));
			arena_reset(m->batch_arena);
			mqttd_db_failed(m, st);
			continue;
		}
		long long now = time_monotonic_ms();
		long timeout = database_timeout_ms(&m->database, now);
		struct pollfd pfd = { .fd = database_socket(&m->database), .events = database_events(&m->database) };
		if (stop_signal_poll(&pfd, pfd.fd >= 0 ? 1 : 0, timeout, unblocked) > 0 && pfd.revents)
			database_io(&m->database, time_monotonic_ms(), pfd.revents);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int begun = daemon_begin(argc, argv, "station-mqttd", usage);
	if (begun >= 0)
		return begun;
	struct mqttd m;
	memset(&m, 0, sizeof m);
	if (read_config(&m.cfg) != 0)
		return 1;

	mosquitto_lib_init();
	srand((unsigned)time_now_ms() ^ (unsigned)getpid());
	m.message_arena = arena_new();
	m.batch_arena = arena_new();
	m.db = db_new("station-mqttd");
	db_use_configured_timeouts(m.db);
	database_init(&m.database, m.db, repo_listen_channels);
	sigset_t unblocked;
	stop_signal_block(on_stop_signal, &unblocked);
	m.station_id = read_station_id(&m, &unblocked);
	if (!m.station_id) {
		database_free(&m.database);
		db_close(m.db);
		arena_destroy(m.message_arena);
		arena_destroy(m.batch_arena);
		mosquitto_lib_cleanup();
		if (stop_requested) {
			log_info("stopped");
			return 0;
		}
		log_error("the database has no station row (run station-migrate); not starting");
		return 1;
	}
	pending_init(&m.pending, MQTTD_PENDING_MAX_MESSAGES, MQTTD_PENDING_MAX_BYTES);
	reconcile_heartbeats(&m);

	struct broker_settings settings = {
		.host = m.cfg.host,
		.port = m.cfg.port,
		.client_id = MQTTD_CLIENT_ID,
		.username = m.cfg.username,
		.password = m.cfg.password,
		.keepalive_s = MQTTD_KEEPALIVE_S,
		.retry_first_ms = MQTTD_BROKER_RETRY_FIRST_MS,
		.retry_max_ms = MQTTD_BROKER_RETRY_MAX_MS,
	};
	struct broker_handlers handlers = {
		.connected = adapters_connected,
		.lost = adapters_lost,
		.message = adapters_message,
		.published = adapters_published,
	};
	m.broker = broker_new(&settings, &handlers, &m);

	char port[16];
	snprintf(port, sizeof port, "%d", m.cfg.port);
	log_fields(LOG_INFO, "station-mqttd started", "stationId", m.station_id, "broker", m.cfg.host, "port", port,
		   NULL);
	int rc = mqttd_run(&m, &stop_requested, &unblocked);

	broker_free(m.broker);
	pending_free(&m.pending);
	database_free(&m.database);
	db_close(m.db);
	arena_destroy(m.message_arena);
	arena_destroy(m.batch_arena);
	free(m.station_id);
	mosquitto_lib_cleanup();
	log_info("stopped");
	return rc;
}
