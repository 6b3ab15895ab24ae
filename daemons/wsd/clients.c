/*
 * clients.c — the admitted WebSocket clients of station-wsd: fan-out, drops, sweeps.
 *
 * A notification becomes one refcounted message pushed into every admitted client's
 * bounded queue (queue.h); a client whose queue is full is closed with 1013 "too slow"
 * at once and its queue released, so one client that stops reading costs at most
 * ws.queue_limit pointers and never holds the others back. Each queue is written out by
 * the client's own writeable callbacks (session.c), one message per callback.
 *
 * Membership is re-checked here: on a station_events message of type user.removed
 * {userId}, and every ws.ping_interval seconds with one query for all connected users.
 * A client that is no longer a member is closed with 1008. The same sweep sends the
 * protocol pings, cuts clients that answer none, and hands freed memory back to the
 * system.
 *
 * Must never block on a client, never copy a message per client, never log a token.
 */
#define _GNU_SOURCE /* memmem */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json_reader.h"
#include "log.h"
#include "repo.h"
#include "timeutil.h"
#include "wsd.h"

static void unlink_client(struct wsd *w, struct client *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		w->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	w->nclients--;
	if (c->queue.ring.count == 0)
		w->nidle--;
}

void clients_admit(struct wsd *w, struct client *c)
{
	ws_queue_init(&c->queue, w->queue_limit);
	c->admitted = true;
	c->next = w->clients;
	c->prev = NULL;
	if (w->clients)
		w->clients->prev = c;
	w->clients = c;
	w->nclients++;
	w->nidle++;
}

void clients_close(struct wsd *w, struct client *c, int code, const char *reason)
{
	if (c->closing)
		return;
	if (c->admitted)
		unlink_client(w, c);
	c->closing = true;
	c->close_code = code;
	c->close_reason = reason;
	c->pongs_due = 0;
	ws_queue_clear(&c->queue);
	lws_callback_on_writable(c->wsi);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, WSD_CLOSE_GRACE_SECS);
}

void clients_cut(struct wsd *w, struct client *c)
{
	clients_close(w, c, 0, NULL);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void clients_forget(struct wsd *w, struct client *c)
{
	if (c->admitted && !c->closing)
		unlink_client(w, c);
	c->closing = true;
	ws_queue_free(&c->queue);
	free(c->rx);
	c->rx = NULL;
}

void clients_sent_one(struct wsd *w, struct client *c)
{
	ws_queue_pop(&c->queue);
	if (c->queue.ring.count == 0 && c->admitted && !c->closing) {
		w->nidle++;
		listener_kick(w);
	}
}

bool clients_any_idle(const struct wsd *w)
{
	return w->nclients == 0 || w->nidle > 0;
}

static void log_drop(const struct client *c, const char *msg, size_t queued)
{
	char n[24];
	snprintf(n, sizeof n, "%zu", queued);
	log_fields(LOG_WARN, msg, "userId", c->user_id, "requestId", c->request_id, "queued", n, NULL);
}

/* The client's user left the station (or was deleted). */
static void close_removed(struct wsd *w, struct client *c, const char *why)
{
	log_fields(LOG_INFO, "client closed: no longer a member", "userId", c->user_id, "requestId", c->request_id,
		   "why", why, NULL);
	clients_close(w, c, WS_CLOSE_POLICY, "removed from the station");
}

/* Closing a client unlinks only that client, so `next` stays valid. */
static void close_user(struct wsd *w, const char *user_id, const char *why)
{
	struct client *c = w->clients, *next;
	for (; c; c = next) {
		next = c->next;
		if (strcasecmp(c->user_id, user_id) == 0)
			close_removed(w, c, why);
	}
}

/* user.removed {userId}: parsed only when the type can be it, so other messages cost a memmem. */
static void act_on_user_removed(struct wsd *w, const char *payload, size_t len)
{
	static const char marker[] = "\"user.removed\"";
	if (!memmem(payload, len, marker, sizeof marker - 1))
		return;
	const char *error = NULL;
	struct json_object *msg = json_parse(w->arena, payload, len, 8, &error);
	const char *type = msg ? json_get_string(msg, "type") : NULL;
	if (!type || strcmp(type, "user.removed") != 0)
		return;
	const char *user_id = json_get_string(json_get_object(msg, "data"), "userId");
	if (user_id)
		close_user(w, user_id, "user.removed");
}

void clients_broadcast(struct wsd *w, const char *payload, size_t len)
{
	act_on_user_removed(w, payload, len);
	if (!w->clients)
		return;
	struct ws_msg *m = ws_msg_new(payload, len);
	struct client *c = w->clients, *next;
	for (; c; c = next) {
		next = c->next;
		bool was_idle = c->queue.ring.count == 0;
		if (!ws_queue_push(&c->queue, m)) {
			log_drop(c, "client dropped: send queue full (too slow)", c->queue.ring.count);
			clients_close(w, c, WS_CLOSE_TRY_AGAIN, "too slow");
			continue;
		}
		if (was_idle) { /* otherwise its writeable callback is already asked for */
			w->nidle--;
			lws_callback_on_writable(c->wsi);
		}
	}
	ws_msg_unref(m);
}

void clients_close_all(struct wsd *w, int code, const char *reason)
{
	while (w->clients)
		clients_close(w, w->clients, code, reason);
}

/* The user ids (or session ids) of the admitted clients as an array literal, one per
 * client in list order (repeats and all: the query does not mind, and a home has few
 * users but may have many tabs). */
static const char *client_ids(struct wsd *w, bool sessions)
{
	struct buf b;
	buf_init(&b, w->arena);
	buf_putc(&b, '{');
	for (struct client *c = w->clients; c; c = c->next) {
		if (c != w->clients)
			buf_putc(&b, ',');
		buf_puts(&b, sessions ? c->session_id : c->user_id); /* validated UUIDs: nothing to quote */
	}
	buf_putc(&b, '}');
	return b.data;
}

/* The clients of one session of a user, whose end the sweep found. */
static void close_session(struct wsd *w, const char *user_id, const char *session_id, const char *why)
{
	struct client *c = w->clients, *next;
	for (; c; c = next) {
		next = c->next;
		if (strcasecmp(c->user_id, user_id) == 0 && strcasecmp(c->session_id, session_id) == 0)
			close_removed(w, c, why);
	}
}

/* One query for everybody connected: it names the (user, session) pairs no longer
 * admitted (usually none) — removed members, deleted users, ended sessions — whose
 * clients are closed. */
static void check_members(struct wsd *w)
{
	if (!w->clients || !listener_up(w))
		return;
	PGresult *res = NULL;
	enum db_status st = wsd_repo_no_longer_admitted(listener_db(w), w->arena, client_ids(w, false),
							client_ids(w, true), w->session_max_days, &res);
	listener_after_query(w, st);
	if (st == DB_OK) {
		for (int row = 0; row < PQntuples(res); row++)
			close_session(w, PQgetvalue(res, row, 0), PQgetvalue(res, row, 1), "membership check");
	} else if (st != DB_UNAVAILABLE) {
		log_warn("membership check failed: %s", db_last_error(listener_db(w)));
	}
	arena_reset(w->arena);
}

/* A protocol ping to every client; one that has answered none for two intervals is cut. */
static void ping_clients(struct wsd *w)
{
	long long now = time_monotonic_ms(), silence_ms = 2000LL * w->ping_interval;
	struct client *c = w->clients, *next;
	for (; c; c = next) {
		next = c->next;
		if (now - c->last_pong_ms >= silence_ms) {
			log_drop(c, "client dropped: no pong", c->queue.ring.count);
			clients_cut(w, c);
			continue;
		}
		c->ping_due = true;
		lws_callback_on_writable(c->wsi);
	}
}

/*
 * Every ping interval: membership, pings, and the memory freed since handed back to the
 * system — clients come and go in waves (a reload of every open tab, a Wi-Fi blip) and
 * glibc would otherwise keep the high-water mark of the largest wave for good.
 */
static void sweep(lws_sorted_usec_list_t *sul)
{
	struct wsd *w = lws_container_of(sul, struct wsd, sweep);
	if (!w->stopping) {
		check_members(w);
		ping_clients(w);
	}
	malloc_trim(0);
	lws_sul_schedule(w->context, 0, &w->sweep, sweep, (lws_usec_t)w->ping_interval * LWS_USEC_PER_SEC);
}

void clients_start(struct wsd *w)
{
	lws_sul_schedule(w->context, 0, &w->sweep, sweep, (lws_usec_t)w->ping_interval * LWS_USEC_PER_SEC);
}

void clients_stop(struct wsd *w)
{
	lws_sul_cancel(&w->sweep);
}
