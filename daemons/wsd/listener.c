/*
 * listener.c — station-wsd's database connection: LISTEN station_events inside the
 * libwebsockets loop.
 *
 * The libpq socket joins the one service loop: a dup() of PQsocket() is adopted as a
 * raw descriptor (LWS_ADOPT_RAW_FILE_DESC), so lws polls it beside the clients and calls
 * listener_callback() when it turns readable. The dup matters: lws closes what it
 * adopted, libpq closes its own, and neither may close the other's descriptor.
 *
 * Intake is paced by the fastest client. One notification is taken per loop turn and
 * fanned out; the next is taken once some client has written everything it was given
 * (or, if every client is stalled, after INTAKE_STALL_MS, so stuck clients fill their
 * queues and get dropped instead of stopping the bus). While a notification waits, the
 * socket is not read (rx flow control): PostgreSQL's notification queue holds the
 * backlog, not wsd's memory. A burst therefore reaches a healthy client whole, however
 * long it is, and only a client slower than the fastest one can be dropped.
 *
 * When the connection is lost (PostgreSQL restarted) the adopted descriptor is closed,
 * clients stay connected, and reconnection attempts follow with exponential backoff
 * (lws timers, never sleeping in the loop); each success LISTENs again. db_exec() may
 * also reconnect silently when a query finds the old connection dead: db_generation()
 * tells, and the new connection is LISTENed and adopted the same way. Notifications sent
 * while no connection listened are lost (LISTEN/NOTIFY keeps nothing).
 *
 * Must never sleep, spin on a dead socket, or run a query while one is in flight.
 */
#define _GNU_SOURCE /* F_DUPFD_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "repo.h"
#include "timeutil.h"
#include "wsd.h"

/* The first pause between reconnection attempts; it doubles up to db.retry_max_ms. */
#define RETRY_FIRST_MS 250
/* With every client stalled, a notification is still taken this often (see above). */
#define INTAKE_STALL_MS 100
/* Notifications taken in one loop turn when no client is connected (nothing to pace). */
#define INTAKE_UNPACED_BATCH 256

struct listener {
	struct db *db;
	struct lws *wsi;          /* the adopted dup of PQsocket(), NULL when none */
	unsigned generation;      /* db_generation() that was LISTENed and adopted */
	bool up;                  /* connected and listening */
	bool reading;             /* POLLIN wanted on wsi */
	PGnotify *held;           /* taken from libpq, waiting for a client to catch up */
	long long last_intake_ms; /* monotonic time of the last fan-out */
	long retry_ms;            /* the next pause between attempts */
	long retry_max_ms;
	int attempts;             /* failed attempts since the connection was lost */
	lws_sorted_usec_list_t retry_sul;
	lws_sorted_usec_list_t intake_sul;
	struct wsd *wsd;
};

static void attempt_connect(lws_sorted_usec_list_t *sul);
static void intake(lws_sorted_usec_list_t *sul);

bool listener_up(const struct wsd *w)
{
	return w->listener && w->listener->up;
}

struct db *listener_db(const struct wsd *w)
{
	return w->listener->db;
}

static void set_reading(struct listener *l, bool on)
{
	if (l->wsi && l->reading != on) {
		lws_rx_flow_control(l->wsi, on ? 1 : 0);
		l->reading = on;
	}
}

/* Closes the adopted descriptor (not libpq's); its close callback is then ignored. */
static void detach(struct listener *l)
{
	if (l->wsi) {
		struct lws *wsi = l->wsi;
		l->wsi = NULL;
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	}
	l->reading = false;
	if (l->held) {
		PQfreemem(l->held);
		l->held = NULL;
	}
}

static void schedule_intake(struct listener *l, long long delay_ms)
{
	lws_sul_schedule(l->wsd->context, 0, &l->intake_sul, intake,
			 delay_ms > 0 ? (lws_usec_t)delay_ms * 1000 : 1);
}

static void schedule_retry(struct listener *l)
{
	if (l->attempts == 1 || l->retry_ms >= l->retry_max_ms)
		log_warn("database unreachable (%s); retrying in %ld ms", db_last_error(l->db), l->retry_ms);
	lws_sul_schedule(l->wsd->context, 0, &l->retry_sul, attempt_connect, (lws_usec_t)l->retry_ms * 1000);
	l->retry_ms = l->retry_ms * 2 > l->retry_max_ms ? l->retry_max_ms : l->retry_ms * 2;
}

/* The connection is gone: clients stay, pushes pause, reconnection begins. */
static void lost(struct listener *l, const char *why)
{
	bool was_up = l->up;
	l->up = false;
	detach(l);
	lws_sul_cancel(&l->intake_sul);
	if (was_up) {
		log_warn("database connection lost (%s); clients stay connected, pushes resume after reconnection",
			 why);
		l->attempts = 0;
		l->retry_ms = RETRY_FIRST_MS;
	}
	if (!l->wsd->stopping)
		lws_sul_schedule(l->wsd->context, 0, &l->retry_sul, attempt_connect, (lws_usec_t)l->retry_ms * 1000);
}

/* LISTEN on the connection db holds now and adopt its socket; false when that failed. */
static bool listen_and_adopt(struct listener *l)
{
	struct wsd *w = l->wsd;
	detach(l);
	if (wsd_repo_listen(l->db, w->arena) != DB_OK) {
		log_warn("LISTEN station_events failed: %s", db_last_error(l->db));
		return false;
	}
	int fd = fcntl(PQsocket(db_conn(l->db)), F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		log_error("cannot duplicate the database socket: %s", strerror(errno));
		return false;
	}
	lws_sock_file_fd_type desc = { .filefd = fd };
	l->wsi = lws_adopt_descriptor_vhost(w->vhost, LWS_ADOPT_RAW_FILE_DESC, desc, "station-db", NULL);
	if (!l->wsi) { /* lws closed fd */
		log_error("cannot add the database socket to the event loop");
		return false;
	}
	l->reading = true;
	l->generation = db_generation(l->db);
	l->up = true;
	schedule_intake(l, 0); /* LISTEN's round trip may have brought notifications */
	return true;
}

static void attempt_connect(lws_sorted_usec_list_t *sul)
{
	struct listener *l = lws_container_of(sul, struct listener, retry_sul);
	if (l->wsd->stopping)
		return;
	if (db_connect(l->db) == 0 && listen_and_adopt(l)) {
		if (l->attempts > 0)
			log_info("database connected after %d retries; listening on station_events", l->attempts);
		else
			log_info("database connected; listening on station_events");
		l->attempts = 0;
		l->retry_ms = RETRY_FIRST_MS;
	} else {
		l->up = false;
		detach(l);
		l->attempts++;
		schedule_retry(l);
	}
	arena_reset(l->wsd->arena);
}

void listener_after_query(struct wsd *w, int status)
{
	struct listener *l = w->listener;
	if (status == DB_UNAVAILABLE || !db_conn(l->db)) {
		if (l->up)
			lost(l, db_last_error(l->db));
		return;
	}
	if (db_generation(l->db) != l->generation) {
		/* db_exec found the old connection dead and made a new one */
		log_info("database reconnected during a query; listening on station_events again");
		if (!listen_and_adopt(l)) {
			lost(l, "LISTEN after reconnection failed");
			return;
		}
	}
	schedule_intake(l, 0); /* the query may have read notifications into libpq */
}

void listener_kick(struct wsd *w)
{
	struct listener *l = w->listener;
	if (l->up && l->held)
		schedule_intake(l, 0);
}

static void deliver(struct listener *l)
{
	PGnotify *n = l->held;
	l->held = NULL;
	clients_broadcast(l->wsd, n->extra, strlen(n->extra));
	PQfreemem(n);
	l->last_intake_ms = time_monotonic_ms();
}

static void intake(lws_sorted_usec_list_t *sul)
{
	struct listener *l = lws_container_of(sul, struct listener, intake_sul);
	struct wsd *w = l->wsd;
	if (!l->up)
		return;
	PGconn *conn = db_conn(l->db);
	int budget = w->nclients ? 1 : INTAKE_UNPACED_BATCH;
	for (; budget > 0; budget--) {
		if (!l->held)
			l->held = PQnotifies(conn);
		if (!l->held) {
			set_reading(l, true);
			arena_reset(w->arena);
			return;
		}
		if (!clients_any_idle(w)) {
			long long waited = time_monotonic_ms() - l->last_intake_ms;
			if (waited < INTAKE_STALL_MS) {
				set_reading(l, false);
				schedule_intake(l, INTAKE_STALL_MS - waited);
				return;
			}
		}
		deliver(l);
	}
	/* More may wait in libpq: the next loop turn takes them, after the clients wrote. */
	set_reading(l, false);
	schedule_intake(l, 0);
	arena_reset(w->arena);
}

int listener_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct wsd *w = wsd_of(wsi);
	struct listener *l = w ? w->listener : NULL;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (!l || wsi != l->wsi)
			return -1; /* a detached descriptor that was still readable */
		if (!PQconsumeInput(db_conn(l->db)) || PQstatus(db_conn(l->db)) != CONNECTION_OK) {
			char why[200];
			snprintf(why, sizeof why, "%s", PQerrorMessage(db_conn(l->db)));
			why[strcspn(why, "\n")] = '\0';
			lost(l, why);
			return 0;
		}
		schedule_intake(l, 0);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (l && wsi == l->wsi) {
			l->wsi = NULL;
			lost(l, "the server closed the connection");
		}
		return 0;
	default:
		return 0;
	}
}

void listener_start(struct wsd *w)
{
	struct listener *l = calloc(1, sizeof *l);
	if (!l)
		abort();
	l->wsd = w;
	l->db = db_new("station-wsd");
	/* A statement that stalls would stall every WebSocket client: bound them all. */
	db_set_statement_timeout(l->db, WSD_STATEMENT_TIMEOUT_MS);
	l->retry_ms = RETRY_FIRST_MS;
	l->retry_max_ms = cfg_int("db.retry_max_ms");
	w->listener = l;
	/* The first attempt now, the next ones from the loop: clients can connect meanwhile
	 * and are refused with 1011 until the database answers. */
	attempt_connect(&l->retry_sul);
}

void listener_stop(struct wsd *w)
{
	struct listener *l = w->listener;
	if (!l)
		return;
	lws_sul_cancel(&l->retry_sul);
	lws_sul_cancel(&l->intake_sul);
	l->up = false;
	l->wsi = NULL; /* lws_context_destroy() closes it; its close callback is ignored */
	if (l->held) {
		PQfreemem(l->held);
		l->held = NULL;
	}
}

void listener_free(struct wsd *w)
{
	struct listener *l = w->listener;
	if (!l)
		return;
	db_close(l->db);
	free(l);
	w->listener = NULL;
}
