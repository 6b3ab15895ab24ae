/*
 * event_loop.c — station-mqttd's one event loop: the driving adapter, where sockets and
 * timers become calls into the use cases.
 *
 * One ppoll() over two sockets: the broker's (libmosquitto driven by hand: read when
 * readable, write when it wants to, misc for keepalive) and the database's (lib/db_link:
 * a connection attempt in progress, or LISTEN notifications and the server going away
 * once connected). Between polls, in this order:
 * reconnect what is due, write the telemetry batch when due, record acknowledged
 * commands, hand notifications to the outbox, drain the outbox. The poll timeout is the
 * nearest deadline (batch, reconnection attempts, keepalive, outbox sweep), so the loop
 * sleeps when there is nothing to do and never spins during an outage.
 *
 * The stop signals are blocked except inside ppoll(), so a SIGTERM can neither be
 * missed nor interrupt a transaction. On stop: write the queued telemetry (one
 * attempt, if the database is connected: a stop never waits for a reconnection),
 * record acknowledged commands, DISCONNECT from the broker, return 0.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "adapters/adapters.h"
#include "application/mqttd.h"
#include "log.h"
#include "stop_signal.h"
#include "timeutil.h"

#define DISCONNECT_WAIT_MS 1000

/* Hands every received notification to the adapters; true when there was one. */
static bool take_notifications(struct mqttd *m)
{
	bool any = false;
	PGnotify *n;
	while ((n = database_notification(&m->database)) != NULL) {
		adapters_notification(m, n->relname, n->extra);
		PQfreemem(n);
		any = true;
	}
	return any;
}

/* Everything due now; returns the poll timeout in ms. */
static long run_due(struct mqttd *m)
{
	long long now = time_monotonic_ms();
	mqttd_db_ready(m, false); /* starts an attempt when due; a new connection wakes the outbox */
	broker_tick(m->broker, now);
	if (telemetry_due(m, now))
		telemetry_flush(m);
	outbox_record(m);
	take_notifications(m);
	outbox_drain(m, now);
	bool more = take_notifications(m); /* the drain's statements may have read some */

	now = time_monotonic_ms();
	bool db_up = m->database.up;
	long timeout = broker_timeout_ms(m->broker, now);
	timeout = time_sooner_ms(timeout, database_timeout_ms(&m->database, now));
	if (m->pending.ring.count && db_up)
		timeout = time_sooner_ms(timeout, telemetry_due(m, now) ? 0 : (long)(m->flush_due - now));
	if (db_up && broker_connected(m->broker)) {
		if (more || outbox_has_acks(m) || (m->outbox_wanted && m->noutbox < OUTBOX_INFLIGHT_MAX))
			timeout = 0;
		else
			timeout = time_sooner_ms(timeout, m->outbox_sweep > now ? (long)(m->outbox_sweep - now) : 0);
	}
	return timeout < 0 ? 0 : timeout;
}

static void shutdown_cleanly(struct mqttd *m)
{
	log_info("stopping");
	if (m->pending.ring.count && mqttd_db_ready(m, true))
		telemetry_flush(m);
	if (m->pending.ring.count) {
		char n[24];
		snprintf(n, sizeof n, "%zu", m->pending.ring.count);
		log_fields(LOG_ERROR, "telemetry not written at shutdown (database unavailable)", "messages", n, NULL);
	}
	outbox_record(m);
	broker_disconnect(m->broker, DISCONNECT_WAIT_MS);
}

int mqttd_run(struct mqttd *m, volatile sig_atomic_t *stop, const sigset_t *unblocked)
{
	m->outbox_wanted = true;
	while (!*stop) {
		long timeout = run_due(m);
		struct pollfd fds[2];
		nfds_t n = 0;
		int broker_fd = broker_socket(m->broker);
		int db_fd = database_socket(&m->database);
		int broker_at = -1, db_at = -1;
		if (broker_fd >= 0) {
			fds[n] = (struct pollfd){ .fd = broker_fd,
						  .events = (short)(POLLIN | (broker_want_write(m->broker) ? POLLOUT : 0)) };
			broker_at = (int)n++;
		}
		if (db_fd >= 0) {
			fds[n] = (struct pollfd){ .fd = db_fd, .events = database_events(&m->database) };
			db_at = (int)n++;
		}
		int ready = stop_signal_poll(fds, n, timeout, unblocked);
		if (ready < 0)
			return 1;
		if (ready == 0)
			continue;
		if (broker_at >= 0 && fds[broker_at].revents)
			broker_io(m->broker, fds[broker_at].revents);
		if (db_at >= 0 && fds[db_at].revents && database_socket(&m->database) == db_fd)
			database_io(&m->database, time_monotonic_ms(), fds[db_at].revents);
	}
	shutdown_cleanly(m);
	return 0;
}
