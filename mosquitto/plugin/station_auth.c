/*
 * station_auth.c — Smart Station's Mosquitto plugin (plugin API v5): who may connect to
 * the broker, under which client id, which topics each client may use, and how much a
 * device may publish (SPEC §5; docs/mqtt.md).
 *
 * A device logs in with username = its external id and password = its device token,
 * checked against the station database (credentials.c: only SHA-256 of tokens is stored,
 * which is why Mosquitto's dynamic-security plugin cannot do this job). The station's
 * daemons log in with their own username and the password in their secret file
 * (secret_file.c). A client id belongs to one identity (client_ids.c), so no device can
 * take over the daemons' or another device's session. Topic access follows acl.c. Each
 * device has a rate budget (rate_budget.c); an absent daemon session's queue is bounded
 * and its drops counted (daemon_queue.c). Deleting a device or rotating its token drops
 * its live sessions at the next broker tick.
 *
 * Options (plugin_opt_<key> in mosquitto.conf):
 *   conninfo                 libpq connection string      (default: dbname=station)
 *   daemon_username          the daemons' MQTT username   (default: station-mqttd)
 *   daemon_password_file     their secret, first line     (default: <localstatedir>/lib/smart-station/mqtt_password)
 *   allow_anonymous_devices  true|false: legacy firmware without credentials (default: false)
 *   device_rate              messages a second a device may publish, sustained (default: 50)
 *   device_burst             messages a device may publish at once (default: 500)
 *   daemon_queue_messages    messages kept for an absent daemon session (default: 120000)
 *   daemon_queue_bytes       their payload bytes (default: 33554432)
 *
 * This file only translates between the broker and those parts. It must never log a
 * password, token or hash, never let a device in when the database could not be asked,
 * and never drop a session from inside an authentication callback (only from the tick).
 */
#include <mosquitto.h>
#include <mosquitto_broker.h>
/* The three entry points must stay visible although the plugin builds with -fvisibility=hidden. */
#pragma GCC visibility push(default)
#include <mosquitto_plugin.h>
#pragma GCC visibility pop

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl.h"
#include "client_ids.h"
#include "credentials.h"
#include "daemon_queue.h"
#include "rate_budget.h"
#include "secret_file.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

#define LOG_PREFIX "smart-station auth: "
#define SWEEP_MS 250 /* rate budget and daemon queue reports, at most this often */

struct station_auth {
	mosquitto_plugin_id_t *id;
	const char *conninfo;
	const char *daemon_username;
	const char *daemon_password_file;
	bool allow_anonymous_devices;
	unsigned long long device_rate, device_burst;
	unsigned long long daemon_queue_messages, daemon_queue_bytes;
	struct credentials *credentials;
	struct client_ids client_ids;
	struct rate_budget rate_budget;
	struct daemon_queue daemon_queue;
	int64_t swept_ms;
	int registered; /* how many of the callbacks below are registered */
};

/* ---- options ------------------------------------------------------------------------ */

static int parse_bool(const char *key, const char *value, bool *out)
{
	if (strcmp(value, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(value, "false") == 0) {
		*out = false;
		return 0;
	}
	mosquitto_log_printf(MOSQ_LOG_ERR, LOG_PREFIX "plugin_opt_%s: must be true or false, not \"%s\"", key, value);
	return -1;
}

static int parse_count(const char *key, const char *value, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(value, &end, 10);
	if (errno || end == value || *end || value[0] == '-' || v < 1 || v > max) {
		mosquitto_log_printf(MOSQ_LOG_ERR, LOG_PREFIX "plugin_opt_%s: must be a whole number from 1 to %llu, not \"%s\"",
				     key, max, value);
		return -1;
	}
	*out = v;
	return 0;
}

/* Option values point into Mosquitto's own copy of the configuration, which outlives the plugin. */
static int read_options(struct station_auth *p, const struct mosquitto_opt *options, int count)
{
	p->conninfo = "dbname=station";
	p->daemon_username = "station-mqttd";
	p->daemon_password_file = LOCALSTATEDIR "/lib/smart-station/mqtt_password";
	p->allow_anonymous_devices = false;
	p->device_rate = 50;
	p->device_burst = 500;
	p->daemon_queue_messages = 120000;
	p->daemon_queue_bytes = 32ULL * 1024 * 1024;

	for (int i = 0; i < count; i++) {
		const char *key = options[i].key, *value = options[i].value ? options[i].value : "";
		if (strcmp(key, "conninfo") == 0) {
			p->conninfo = value;
		} else if (strcmp(key, "daemon_username") == 0) {
			p->daemon_username = value;
		} else if (strcmp(key, "daemon_password_file") == 0) {
			p->daemon_password_file = value;
		} else if (strcmp(key, "allow_anonymous_devices") == 0) {
			if (parse_bool(key, value, &p->allow_anonymous_devices) != 0)
				return -1;
		} else if (strcmp(key, "device_rate") == 0) {
			if (parse_count(key, value, 1000000, &p->device_rate) != 0)
				return -1;
		} else if (strcmp(key, "device_burst") == 0) {
			if (parse_count(key, value, 1000000, &p->device_burst) != 0)
				return -1;
		} else if (strcmp(key, "daemon_queue_messages") == 0) {
			if (parse_count(key, value, 100000000, &p->daemon_queue_messages) != 0)
				return -1;
		} else if (strcmp(key, "daemon_queue_bytes") == 0) {
			if (parse_count(key, value, 1ULL << 40, &p->daemon_queue_bytes) != 0)
				return -1;
		} else {
			mosquitto_log_printf(MOSQ_LOG_ERR,
					     LOG_PREFIX "unknown option plugin_opt_%s (known: conninfo, daemon_username, "
							"daemon_password_file, allow_anonymous_devices, device_rate, "
							"device_burst, daemon_queue_messages, daemon_queue_bytes)",
					     key);
			return -1;
		}
	}
	if (!*p->conninfo || !*p->daemon_username || !*p->daemon_password_file) {
		mosquitto_log_printf(MOSQ_LOG_ERR, LOG_PREFIX "plugin_opt_conninfo, plugin_opt_daemon_username and "
							      "plugin_opt_daemon_password_file must not be empty");
		return -1;
	}
	return 0;
}

/* ---- events ------------------------------------------------------------------------- */

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool is_daemon(const struct station_auth *p, const char *username)
{
	return username && strcmp(username, p->daemon_username) == 0;
}

static int check_credentials(struct station_auth *p, const struct mosquitto_evt_basic_auth *ev)
{
	if (!ev->username)
		return p->allow_anonymous_devices ? MOSQ_ERR_SUCCESS : MOSQ_ERR_AUTH;

	if (is_daemon(p, ev->username))
		return secret_file_check(p->daemon_password_file, ev->password) == SECRET_MATCH ? MOSQ_ERR_SUCCESS
												 : MOSQ_ERR_AUTH;

	switch (credentials_check_device(p->credentials, ev->username, ev->password)) {
	case CREDENTIALS_VALID:
		return MOSQ_ERR_SUCCESS;
	case CREDENTIALS_INVALID:
		return MOSQ_ERR_AUTH; /* CONNACK "not authorised" */
	case CREDENTIALS_UNAVAILABLE:
		break;
	}
	/*
	 * The database could not say: no verdict is given. Mosquitto closes the connection
	 * without a CONNACK for any error other than MOSQ_ERR_AUTH, which a device takes for a
	 * network failure and retries, instead of a refusal it could count against itself.
	 */
	return MOSQ_ERR_UNKNOWN;
}

/* What the daemon's persistent session went through while the daemon was away. */
static void report_return(const char *client_id, const struct daemon_absence *a, const struct station_auth *p)
{
	double away_s = a->since_ms ? (double)(monotonic_ms() - a->since_ms) / 1000.0 : 0.0;
	if (a->dropped)
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     LOG_PREFIX "%s is back after %.1f s: %" PRIu64 " device messages were kept for it, "
						"%" PRIu64 " dropped over its queue bound (%llu messages, %llu bytes)",
				     client_id, away_s, a->queued, a->dropped, p->daemon_queue_messages,
				     p->daemon_queue_bytes);
	else if (a->queued || a->since_ms)
		mosquitto_log_printf(MOSQ_LOG_NOTICE,
				     LOG_PREFIX "%s is back after %.1f s: %" PRIu64 " device messages were kept for it, "
						"none dropped",
				     client_id, away_s, a->queued);
	if (a->qos0_lost)
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     LOG_PREFIX "%s: %" PRIu64 " QoS 0 messages published while it was away were not "
						"kept (the broker keeps only QoS 1 and 2 for an absent session)",
				     client_id, a->qos0_lost);
}

static int on_basic_auth(int event, void *event_data, void *userdata)
{
	struct station_auth *p = userdata;
	struct mosquitto_evt_basic_auth *ev = event_data;
	(void)event;

	int rc = check_credentials(p, ev);
	if (rc != MOSQ_ERR_SUCCESS)
		return rc;

	/* Only now: a client id is claimed by credentials that were checked. */
	const char *client_id = mosquitto_client_id(ev->client), *owner = NULL;
	if (!client_id)
		return MOSQ_ERR_AUTH;
	bool persistent = !mosquitto_client_clean_session(ev->client);
	const char *refused = client_ids_claim(&p->client_ids, client_id, ev->username, ev->client, persistent, &owner);
	if (refused) {
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     LOG_PREFIX "refused %s%s as client id %s: %s%s%s; its session is left alone",
				     ev->username ? "" : "an anonymous client", ev->username ? ev->username : "",
				     client_id, refused, owner && *owner ? " " : "", owner && *owner ? owner : "");
		/*
		 * The daemons' id: a plain refusal. An id another device holds: no verdict (as
		 * for an unreachable database), so that a device whose own firmware id is being
		 * squatted is not handed refusals it could count against itself.
		 */
		return is_daemon(p, client_id) ? MOSQ_ERR_AUTH : MOSQ_ERR_UNKNOWN;
	}
	if (is_daemon(p, ev->username) && persistent) {
		struct daemon_absence absence;
		daemon_queue_connected(&p->daemon_queue, client_id, ev->client, &absence);
		report_return(client_id, &absence, p);
	}
	return MOSQ_ERR_SUCCESS;
}

static int on_disconnect(int event, void *event_data, void *userdata)
{
	struct station_auth *p = userdata;
	struct mosquitto_evt_disconnect *ev = event_data;
	const char *client_id = mosquitto_client_id(ev->client);
	(void)event;

	if (!client_id)
		return MOSQ_ERR_SUCCESS; /* never authenticated */
	client_ids_release(&p->client_ids, client_id, ev->client);
	if (is_daemon(p, mosquitto_client_username(ev->client)))
		daemon_queue_disconnected(&p->daemon_queue, client_id, ev->client, monotonic_ms());
	return MOSQ_ERR_SUCCESS;
}

/* A device's publish: within its rate budget, or dropped (counted, reported by the tick). */
static int on_message(int event, void *event_data, void *userdata)
{
	struct station_auth *p = userdata;
	struct mosquitto_evt_message *ev = event_data;
	const char *username = mosquitto_client_username(ev->client);
	char anonymous[256];
	(void)event;

	if (is_daemon(p, username))
		return MOSQ_ERR_SUCCESS;
	if (!username) {
		/* Legacy devices share no username: each client id has its own budget. '#' can be in no external id. */
		const char *client_id = mosquitto_client_id(ev->client);
		snprintf(anonymous, sizeof anonymous, "#%s", client_id ? client_id : "");
		username = anonymous;
	}
	return rate_budget_take(&p->rate_budget, username, monotonic_ms()) ? MOSQ_ERR_SUCCESS : MOSQ_ERR_ACL_DENIED;
}

static const char *access_name(int access)
{
	switch (access) {
	case MOSQ_ACL_READ:
		return "read";
	case MOSQ_ACL_WRITE:
		return "publish";
	case MOSQ_ACL_SUBSCRIBE:
		return "subscribe";
	case MOSQ_ACL_UNSUBSCRIBE:
		return "unsubscribe";
	}
	return "access";
}

static int on_acl_check(int event, void *event_data, void *userdata)
{
	struct station_auth *p = userdata;
	struct mosquitto_evt_acl_check *ev = event_data;
	const char *username = mosquitto_client_username(ev->client);
	enum acl_client client;
	(void)event;

	if (!username) {
		if (!p->allow_anonymous_devices)
			return MOSQ_ERR_ACL_DENIED;
		client = ACL_CLIENT_ANONYMOUS;
	} else if (strcmp(username, p->daemon_username) == 0) {
		client = ACL_CLIENT_DAEMON;
	} else {
		client = ACL_CLIENT_DEVICE;
	}

	const char *reason = acl_check(client, username, credentials_station_id(p->credentials), ev->topic,
				       (enum acl_access)ev->access);
	if (!reason) {
		/* A delivery to a daemon's persistent session: bounded while the daemon is away. */
		if (ev->access == MOSQ_ACL_READ && client == ACL_CLIENT_DAEMON && !mosquitto_client_clean_session(ev->client) &&
		    daemon_queue_offer(&p->daemon_queue, mosquitto_client_id(ev->client), ev->payloadlen, ev->qos) ==
			    DAEMON_QUEUE_DROP)
			return MOSQ_ERR_ACL_DENIED;
		return MOSQ_ERR_SUCCESS;
	}
	const char *client_id = mosquitto_client_id(ev->client);
	mosquitto_log_printf(MOSQ_LOG_DEBUG, LOG_PREFIX "denied %s of %s to client %s: %s", access_name(ev->access),
			     ev->topic ? ev->topic : "", client_id ? client_id : "?", reason);
	return MOSQ_ERR_ACL_DENIED;
}

static void drop_sessions(const char *external_id, const char *reason, void *ctx)
{
	struct station_auth *p = ctx;
	if (strcmp(external_id, p->daemon_username) == 0)
		return; /* a device cannot have logged in under the daemons' name */
	mosquitto_log_printf(MOSQ_LOG_NOTICE, LOG_PREFIX "device %s: %s; dropping its MQTT sessions", external_id,
			     reason);
	mosquitto_kick_client_by_username(external_id, false);
}

static void report_over_budget(const char *identity, uint64_t dropped, void *ctx)
{
	struct station_auth *p = ctx;
	if (identity[0] == '#')
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     LOG_PREFIX "anonymous client %s: %" PRIu64 " messages over its rate budget (%llu/s, "
						"burst %llu) dropped",
				     identity + 1, dropped, p->device_rate, p->device_burst);
	else
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     LOG_PREFIX "device %s: %" PRIu64 " messages over its rate budget (%llu/s, burst %llu) "
						"dropped",
				     identity, dropped, p->device_rate, p->device_burst);
}

static void report_queue_full(const char *client_id, const struct daemon_absence *a, void *ctx)
{
	struct station_auth *p = ctx;
	mosquitto_log_printf(MOSQ_LOG_WARNING,
			     LOG_PREFIX "%s is away and its session's queue is full (%llu messages, %llu bytes): "
					"%" PRIu64 " device messages dropped so far",
			     client_id, p->daemon_queue_messages, p->daemon_queue_bytes, a->dropped);
}

static int on_tick(int event, void *event_data, void *userdata)
{
	struct station_auth *p = userdata;
	(void)event;
	(void)event_data;
	credentials_tick(p->credentials, drop_sessions, p);
	int64_t now = monotonic_ms();
	if (now - p->swept_ms >= SWEEP_MS) {
		p->swept_ms = now;
		rate_budget_sweep(&p->rate_budget, now, report_over_budget, p);
		daemon_queue_sweep(&p->daemon_queue, now, report_queue_full, p);
	}
	return MOSQ_ERR_SUCCESS;
}

/* ---- plugin entry points ------------------------------------------------------------ */

static const struct {
	int event;
	MOSQ_FUNC_generic_callback callback;
} callbacks[] = {
	{ MOSQ_EVT_BASIC_AUTH, on_basic_auth },
	{ MOSQ_EVT_ACL_CHECK, on_acl_check },
	{ MOSQ_EVT_TICK, on_tick },
	{ MOSQ_EVT_MESSAGE, on_message },
	{ MOSQ_EVT_DISCONNECT, on_disconnect },
};
#define CALLBACK_COUNT ((int)(sizeof callbacks / sizeof callbacks[0]))

static void release(struct station_auth *p)
{
	while (p->registered > 0) {
		p->registered--;
		mosquitto_callback_unregister(p->id, callbacks[p->registered].event, callbacks[p->registered].callback,
					      NULL);
	}
	credentials_free(p->credentials);
	client_ids_free(&p->client_ids);
	rate_budget_free(&p->rate_budget);
	daemon_queue_free(&p->daemon_queue);
	free(p);
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++)
		if (supported_versions[i] == 5)
			return 5;
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *options,
			  int option_count)
{
	struct station_auth *p = calloc(1, sizeof *p);
	if (!p)
		return MOSQ_ERR_NOMEM;
	p->id = identifier;
	if (read_options(p, options, option_count) != 0) {
		free(p);
		return MOSQ_ERR_INVAL;
	}
	if (!(p->credentials = credentials_new(p->conninfo))) {
		free(p);
		return MOSQ_ERR_NOMEM;
	}
	client_ids_init(&p->client_ids, p->daemon_username);
	rate_budget_init(&p->rate_budget, (unsigned)p->device_rate, (unsigned)p->device_burst);
	daemon_queue_init(&p->daemon_queue, p->daemon_queue_messages, p->daemon_queue_bytes);
	for (; p->registered < CALLBACK_COUNT; p->registered++) {
		int rc = mosquitto_callback_register(identifier, callbacks[p->registered].event,
						     callbacks[p->registered].callback, NULL, p);
		if (rc != MOSQ_ERR_SUCCESS) {
			mosquitto_log_printf(MOSQ_LOG_ERR, LOG_PREFIX "cannot register a callback: %s",
					     mosquitto_strerror(rc));
			release(p);
			return rc;
		}
	}
	mosquitto_log_printf(MOSQ_LOG_INFO,
			     LOG_PREFIX "devices log in with their external id and token (checked in the station "
					"database); daemons as %s; a device may publish %llu messages a second (burst %llu); an "
					"absent daemon session keeps at most %llu messages (%llu bytes)",
			     p->daemon_username, p->device_rate, p->device_burst, p->daemon_queue_messages,
			     p->daemon_queue_bytes);
	if (p->allow_anonymous_devices)
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     LOG_PREFIX "allow_anonymous_devices is true (mqtt.allow_anonymous_devices): devices "
						"without credentials may connect, and any of them may publish as any "
						"device; turn it off once no legacy firmware is left");
	*userdata = p;
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)options;
	(void)option_count;
	if (userdata)
		release(userdata);
	return MOSQ_ERR_SUCCESS;
}
