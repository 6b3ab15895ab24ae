/*
 * listener.c — station-wsd's database connection: LISTEN station_events inside the
 * libwebsockets loop.
 *
 * lib/db_link makes and keeps the connection (PQconnectStart/PQconnectPoll, LISTEN sent
 * without waiting, capped backoff with jitter, an attempt abandoned after
 * db.connect_timeout); this file joins its socket to the one service loop. A dup() of
 * the link's socket is adopted as a raw descriptor (LWS_ADOPT_RAW_FILE_DESC), so lws
 * polls it beside the clients — for reading or writing, as the link asks while it
 * connects — and calls listener_callback() when it is ready; the link's deadline (the
 * next attempt, or the end of one) is an lws timer. The dup matters: lws closes what it
 * adopted, libpq closes its own, and neither may close the other's descriptor. libpq
 * may change sockets between attempts, so the adopted dup is compared with the link's
 * socket (same inode) after every step and replaced when it differs.
 *
 * Intake is paced by the fastest client. One notification is taken per loop turn and
 * fanned out; the next is taken once some client has written everything it was given
 * (or, if every client is stalled, after INTAKE_STALL_MS, so stuck clients fill their
 * queues and get dropped instead of stopping the bus). While a notification waits, the
 * socket is not read (rx flow control): PostgreSQL's notification queue holds the
 * backlog, not wsd's memory. A burst therefore reaches a healthy client whole, however
 * long it is, and only a client slower than the fastest one can be dropped.
 *
 * When the connection is lost (PostgreSQL restarted, or a query found it dead) clients
 * stay connected, pushes pause and the link reconnects; each new connection has
 * LISTENed before it is used. Notifications sent while no connection listened are lost
 * (LISTEN/NOTIFY keeps nothing).
 *
 * Must never sleep, wait for the database, spin on a dead socket, or run a query while
 * one is in flight.
 */
#define _GNU_SOURCE /* F_DUPFD_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "db_link.h"
#include "log.h"
#include "repo.h"
#include "timeutil.h"
#include "wsd.h"

/* With every client stalled, a notification is still taken this often (see above). */
#define INTAKE_STALL_MS 100
/* Notifications taken in one loop turn when no client is connected (nothing to pace). */
#define INTAKE_UNPACED_BATCH 256

struct listener {
	struct db *db;
	struct db_link *link;
	struct lws *wsi;          /* the adopted dup of the link's socket, NULL when none */
	dev_t wsi_dev;            /* which socket wsi is a dup of */
	ino_t wsi_ino;
	bool up;                  /* connected and listening */
	bool reading;             /* POLLIN wanted on wsi */
	PGnotify *held;           /* taken from libpq, waiting for a client to catch up */
	long long last_intake_ms; /* monotonic time of the last fan-out */
	bool in_writeable;        /* inside wsi's writeable callback */
	lws_sorted_usec_list_t link_sul;   /* the link's deadline */
	lws_sorted_usec_list_t rearm_sul;  /* POLLOUT again, after a writeable callback */
	lws_sorted_usec_list_t intake_sul;
	struct wsd *wsd;
};

static void link_timer(lws_sorted_usec_list_t *sul);
static void rearm(lws_sorted_usec_list_t *sul);
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
}

static void drop_held(struct listener *l)
{
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

/* Adopts a dup of fd into the loop; false when that failed (logged). */
static bool adopt(struct listener *l, int fd, const struct stat *st)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0) {
		log_error("cannot duplicate the database socket: %s", strerror(errno));
		return false;
	}
	lws_sock_file_fd_type desc = { .filefd = dup_fd };
	l->wsi = lws_adopt_descriptor_vhost(l->wsd->vhost, LWS_ADOPT_RAW_FILE_DESC, desc, "station-db", NULL);
	if (!l->wsi) { /* lws closed dup_fd */
		log_error("cannot add the database socket to the event loop");
		return false;
	}
	l->wsi_dev = st->st_dev;
	l->wsi_ino = st->st_ino;
	l->reading = true; /* lws polls an adopted descriptor for input */
	return true;
}

/* Makes the loop watch what the link wants: its socket (adopted anew when libpq changed
 * it), for reading and/or writing, and its deadline. */
static void watch(struct listener *l)
{
	int fd = db_link_socket(l->link);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		detach(l);
	} else if (!l->wsi || st.st_dev != l->wsi_dev || st.st_ino != l->wsi_ino) {
		detach(l);
		adopt(l, fd, &st); /* on failure the deadline below still ends the attempt */
	}
	short events = db_link_events(l->link);
	if (l->wsi && !l->up) {
		set_reading(l, (events & POLLIN) != 0);
		/* lws drops POLLOUT after a raw descriptor's writeable callback returns: asked
		 * from inside one, it is asked again on the next loop turn. */
		if ((events & POLLOUT) && l->in_writeable)
			lws_sul_schedule(l->wsd->context, 0, &l->rearm_sul, rearm, 1);
		else if (events & POLLOUT)
			lws_callback_on_writable(l->wsi);
	}
	long timeout = db_link_timeout_ms(l->link, time_monotonic_ms());
	if (timeout < 0)
		lws_sul_cancel(&l->link_sul);
	else
		lws_sul_schedule(l->wsd->context, 0, &l->link_sul, link_timer,
				 timeout > 0 ? (lws_usec_t)timeout * 1000 : 1);
}

/* Advances the link (revents: what the socket is ready for, 0 for a deadline or after
 * a query) and acts on what it says. */
static void step(struct listener *l, short revents)
{
	if (l->wsd->stopping)
		return;
	switch (db_link_step(l->link, time_monotonic_ms(), revents)) {
	case DB_LINK_CONNECTED:
		if (db_link_failures(l->link) > 0)
			log_info("database connected after %d retries; listening on station_events",
				 db_link_failures(l->link));
		else
			log_info("database connected; listening on station_events");
		l->up = true;
		schedule_intake(l, 0); /* LISTEN's round trip may have brought notifications */
		break;
	case DB_LINK_LOST:
		l->up = false;
		drop_held(l);
		lws_sul_cancel(&l->intake_sul);
		log_warn("database connection lost (%s); clients stay connected, pushes resume after reconnection",
			 db_last_error(l->db));
		break;
	case DB_LINK_QUIET:
		break;
	}
	watch(l);
}

static void rearm(lws_sorted_usec_list_t *sul)
{
	struct listener *l = lws_container_of(sul, struct listener, rearm_sul);
	if (l->wsi && !l->up && (db_link_events(l->link) & POLLOUT))
		lws_callback_on_writable(l->wsi);
}

static void link_timer(lws_sorted_usec_list_t *sul)
{
	struct listener *l = lws_container_of(sul, struct listener, link_sul);
	step(l, 0);
}

void listener_after_query(struct wsd *w, int status)
{
	struct listener *l = w->listener;
	(void)status; /* DB_UNAVAILABLE left the db without a connection: the step sees it */
	step(l, 0);
	if (l->up)
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
	(void)user;
	(void)in;
	(void)len;
	struct wsd *w = wsd_of(wsi);
	struct listener *l = w ? w->listener : NULL;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (!l || wsi != l->wsi)
			return -1; /* a detached descriptor that was still readable */
		step(l, POLLIN);
		if (l->up)
			schedule_intake(l, 0);
		return 0;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (!l || wsi != l->wsi)
			return 0;
		l->in_writeable = true;
		step(l, POLLOUT);
		l->in_writeable = false;
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (l && wsi == l->wsi) {
			/* lws saw the socket hang up: let libpq find out why */
			l->wsi = NULL;
			l->reading = false;
			step(l, POLLIN | POLLOUT | POLLHUP);
		}
		return 0;
	default:
		return 0;
	}
}

void listener_start(struct wsd *w)
{
	struct listener *l = xcalloc(1, sizeof *l);
	l->wsd = w;
	l->db = db_new("station-wsd");
	/* A statement that stalls would stall every WebSocket client: bound them all. */
	db_set_statement_timeout(l->db, WSD_STATEMENT_TIMEOUT_MS);
	l->link = db_link_new(l->db, wsd_repo_channels);
	w->listener = l;
	/* The first attempt starts now and goes on in the loop: clients can connect
	 * meanwhile and are refused with 1011 until the database answers. */
	step(l, 0);
}

void listener_stop(struct wsd *w)
{
	struct listener *l = w->listener;
	if (!l)
		return;
	lws_sul_cancel(&l->link_sul);
	lws_sul_cancel(&l->rearm_sul);
	lws_sul_cancel(&l->intake_sul);
	l->up = false;
	l->wsi = NULL; /* lws_context_destroy() closes it; its close callback is ignored */
	drop_held(l);
}

void listener_free(struct wsd *w)
{
	struct listener *l = w->listener;
	if (!l)
		return;
	db_link_free(l->link);
	db_close(l->db);
	free(l);
	w->listener = NULL;
}
