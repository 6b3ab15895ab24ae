/*
 * session.c — one WebSocket connection of station-wsd, from upgrade to close (SPEC §6).
 *
 * Upgrade: the handshake is always accepted, then decided — so that a browser sees a
 * close code rather than a failed upgrade it cannot read: no token or a bad one → 1008,
 * an expired one → 4001, a cookie token sent by a page of another origin → 1008, too
 * many clients → 1013, database unavailable → 1011 (wsd cannot check membership; the
 * client retries), not a station member → 1008.
 * An admitted client gets a timer at its token's exp (→ 4001 "token expired").
 *
 * Writing: one lws_write() per writeable callback — a pending close first, then a
 * protocol ping asked for by the sweep (clients.c), then a pong owed, then the oldest
 * queued message — and another callback is asked for while something is left. Reading:
 * text messages up to WSD_RX_MAX bytes (larger → 1009); {"type":"ping"} is answered
 * {"type":"pong"}, anything else is ignored; a protocol pong records the client alive.
 *
 * Must never log a token, never write twice in one callback, and never keep a pointer
 * into the scratch arena past the event that filled it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "client_message.h"
#include "http_headers.h"
#include "log.h"
#include "repo.h"
#include "timeutil.h"
#include "uuid.h"
#include "wsd.h"

static const char pong_text[] = "{\"type\":\"pong\"}";

static int refuse(struct wsd *w, struct client *c, int code, const char *reason)
{
	char code_text[16];
	snprintf(code_text, sizeof code_text, "%d", code);
	log_fields(LOG_INFO, "connection refused", "reason", reason, "code", code_text, "requestId", c->request_id,
		   NULL);
	clients_close(w, c, code, reason);
	arena_reset(w->arena);
	return 0;
}

/* A request header copied into the arena; NULL when absent. */
static const char *header(struct wsd *w, struct lws *wsi, enum lws_token_indexes h)
{
	int n = lws_hdr_total_length(wsi, h);
	if (n <= 0)
		return NULL;
	char *value = arena_alloc(w->arena, (size_t)n + 1);
	return lws_hdr_copy(wsi, value, n + 1, h) < 0 ? NULL : value;
}

/* The scheme the browser used to reach nginx (X-Forwarded-Proto); "http" without it,
 * which is how wsd itself is reached. */
static const char *forwarded_scheme(struct lws *wsi)
{
	char proto[8];
	int n = lws_hdr_custom_copy(wsi, proto, sizeof proto, "x-forwarded-proto:", 18);
	return n == 5 && strcasecmp(proto, "https") == 0 ? "https" : "http";
}

/* The token of the upgrade request: ?token= first, else the access_token cookie. */
static const char *request_token(struct wsd *w, struct lws *wsi, bool *from_cookie)
{
	char *arg = arena_alloc(w->arena, AUTH_TOKEN_MAX + 16);
	const char *token = lws_get_urlarg_by_name(wsi, "token=", arg, AUTH_TOKEN_MAX + 16);
	*from_cookie = false;
	if (token && *token)
		return token;
	token = http_cookie_get(w->arena, header(w, wsi, WSI_TOKEN_HTTP_COOKIE), "access_token");
	*from_cookie = token != NULL;
	return token;
}

static void arm_expiry(struct lws *wsi, const struct client *c)
{
	long long left_ms = c->expires_at * 1000 - time_now_ms();
	lws_set_timer_usecs(wsi, left_ms > 0 ? (lws_usec_t)left_ms * 1000 : 1);
}

static int on_established(struct wsd *w, struct lws *wsi, struct client *c)
{
	c->wsi = wsi;
	w->nconnections++;
	int n = lws_hdr_custom_copy(wsi, c->request_id, sizeof c->request_id, "x-request-id:", 13);
	if (n < 0)
		c->request_id[0] = '\0';
	if (w->stopping)
		return refuse(w, c, WS_CLOSE_GOING_AWAY, "server shutting down");

	struct ws_admission a;
	bool from_cookie;
	auth_admit(w->arena, w->jwt_secret, request_token(w, wsi, &from_cookie), time_now(), &a);
	if (a.close_code)
		return refuse(w, c, a.close_code, a.reason);
	const char *origin = header(w, wsi, WSI_TOKEN_ORIGIN);
	if (from_cookie && origin &&
	    !http_origin_allowed(origin, forwarded_scheme(wsi), header(w, wsi, WSI_TOKEN_HOST), w->allowed_origins))
		return refuse(w, c, WS_CLOSE_POLICY, "origin not allowed");
	if (w->nclients >= w->max_clients)
		return refuse(w, c, WS_CLOSE_TRY_AGAIN, "too many clients");
	if (!listener_up(w))
		return refuse(w, c, WS_CLOSE_INTERNAL, "database unavailable");

	bool admitted = false;
	if (uuid_is_valid(a.session_id)) {
		enum db_status st = wsd_repo_is_admitted(listener_db(w), w->arena, a.user_id, a.session_id,
							 w->session_max_days, &admitted);
		listener_after_query(w, st);
		if (st != DB_OK)
			return refuse(w, c, WS_CLOSE_INTERNAL, "database unavailable");
	}
	if (!admitted) /* also a session that has ended: the same rule as the REST runtime's */
		return refuse(w, c, WS_CLOSE_POLICY, "not a member of this station");

	snprintf(c->user_id, sizeof c->user_id, "%s", a.user_id);
	snprintf(c->session_id, sizeof c->session_id, "%s", a.session_id);
	c->expires_at = a.expires_at;
	clients_admit(w, c);
	arm_expiry(wsi, c);
	c->last_pong_ms = time_monotonic_ms();
	char count[24];
	snprintf(count, sizeof count, "%zu", w->nclients);
	log_fields(LOG_DEBUG, "client connected", "userId", c->user_id, "role", a.role, "requestId", c->request_id,
		   "clients", count, NULL);
	arena_reset(w->arena);
	return 0;
}

static void on_message(struct wsd *w, struct lws *wsi, struct client *c, const char *data, size_t len)
{
	if (lws_frame_is_binary(wsi))
		return;
	if (client_message_is_ping(w->arena, data, len) && c->pongs_due < WSD_PONGS_MAX) {
		c->pongs_due++;
		lws_callback_on_writable(wsi);
	}
	arena_reset(w->arena);
}

static int on_receive(struct wsd *w, struct lws *wsi, struct client *c, const char *in, size_t len)
{
	if (!c->admitted || c->closing)
		return 0;
	bool first = lws_is_first_fragment(wsi), final = lws_is_final_fragment(wsi);
	if (first) {
		free(c->rx);
		c->rx = NULL;
		c->rx_len = 0;
	}
	if (c->rx_len + len > WSD_RX_MAX) {
		free(c->rx);
		c->rx = NULL;
		log_fields(LOG_INFO, "client closed: message too big", "userId", c->user_id, "requestId",
			   c->request_id, NULL);
		clients_close(w, c, WS_CLOSE_TOO_BIG, "message too big");
		return 0;
	}
	if (first && final) {
		on_message(w, wsi, c, in, len);
		return 0;
	}
	if (!c->rx)
		c->rx = xmalloc(WSD_RX_MAX);
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	if (final) {
		on_message(w, wsi, c, c->rx, c->rx_len);
		free(c->rx);
		c->rx = NULL;
		c->rx_len = 0;
	}
	return 0;
}

static int on_writeable(struct wsd *w, struct lws *wsi, struct client *c)
{
	if (c->closing) {
		if (c->close_code)
			lws_close_reason(wsi, (enum lws_close_status)c->close_code, (unsigned char *)c->close_reason,
					 strlen(c->close_reason));
		return -1;
	}
	if (c->ping_due) {
		unsigned char buf[WS_MSG_PRE + sizeof WSD_PING_PAYLOAD];
		size_t n = sizeof WSD_PING_PAYLOAD - 1;
		memcpy(buf + WS_MSG_PRE, WSD_PING_PAYLOAD, n);
		if (lws_write(wsi, buf + WS_MSG_PRE, n, LWS_WRITE_PING) < (int)n)
			return -1;
		c->ping_due = false;
	} else if (c->pongs_due) {
		unsigned char buf[WS_MSG_PRE + sizeof pong_text];
		memcpy(buf + WS_MSG_PRE, pong_text, sizeof pong_text - 1);
		if (lws_write(wsi, buf + WS_MSG_PRE, sizeof pong_text - 1, LWS_WRITE_TEXT) < (int)(sizeof pong_text - 1))
			return -1;
		c->pongs_due--;
	} else {
		struct ws_msg *m = ws_queue_peek(&c->queue);
		if (!m)
			return 0;
		if (lws_write(wsi, ws_msg_payload(m), m->len, LWS_WRITE_TEXT) < (int)m->len)
			return -1;
		clients_sent_one(w, c);
	}
	if (c->ping_due || c->pongs_due || c->queue.ring.count)
		lws_callback_on_writable(wsi);
	return 0;
}

static int on_timer(struct wsd *w, struct lws *wsi, struct client *c)
{
	if (!c->admitted || c->closing)
		return 0;
	if (time_now() < c->expires_at) { /* early (the wall clock moved): wait again */
		arm_expiry(wsi, c);
		return 0;
	}
	log_fields(LOG_DEBUG, "client closed: token expired", "userId", c->user_id, "requestId", c->request_id, NULL);
	clients_close(w, c, WS_CLOSE_TOKEN_EXPIRED, "token expired");
	return 0;
}

static void on_closed(struct wsd *w, struct client *c)
{
	if (c->admitted) {
		char count[24];
		snprintf(count, sizeof count, "%zu", w->nclients - (c->closing ? 0 : 1));
		log_fields(LOG_DEBUG, "client disconnected", "userId", c->user_id, "requestId", c->request_id, "clients",
			   count, NULL);
	}
	clients_forget(w, c);
	if (c->wsi) {
		c->wsi = NULL;
		w->nconnections--;
	}
}

int session_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct wsd *w = wsd_of(wsi);
	struct client *c = user;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		return on_established(w, wsi, c);
	case LWS_CALLBACK_RECEIVE:
		return on_receive(w, wsi, c, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return on_writeable(w, wsi, c);
	case LWS_CALLBACK_TIMER:
		return on_timer(w, wsi, c);
	case LWS_CALLBACK_RECEIVE_PONG:
		c->last_pong_ms = time_monotonic_ms();
		return 0;
	case LWS_CALLBACK_CLOSED:
		on_closed(w, c);
		return 0;
	case LWS_CALLBACK_HTTP:
		/* A plain HTTP request: only WebSocket upgrades are served here. */
		lws_return_http_status(wsi, HTTP_STATUS_BAD_REQUEST, "WebSocket upgrade required");
		return -1;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}
