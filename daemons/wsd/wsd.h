/*
 * wsd.h — station-wsd's shared state and the functions its files call on each other.
 *
 * station-wsd pushes every station_events notification to every connected browser
 * (SPEC §6). One process, one libwebsockets context, one service loop; the libpq socket
 * is adopted into that loop as a raw descriptor, so nothing ever blocks waiting for the
 * database or for a client, and there are no threads.
 *
 *   wsd.c       main: configuration, the lws context, signals, the loop, shutdown
 *   session.c   the WebSocket protocol callback: handshake, receive, write, timers, close
 *   clients.c   the set of admitted clients: fan-out into bounded queues, drops, sweeps
 *   listener.c  the database connection (lib/db_link) in the loop, notification intake
 *   repo.c      SQL;  auth.c  token admission;  queue.c  messages and bounded queues
 *   client_message.c  what a client's text message means ({"type":"ping"})
 *
 * Nothing here is shared with another process, and no state survives a restart: a
 * browser reconnects and refetches.
 */
#ifndef WSD_H
#define WSD_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "auth.h"
#include "db.h"
#include "queue.h"

/* The longest a query of wsd may take (it runs in the event loop of every client). */
#define WSD_STATEMENT_TIMEOUT_MS 5000
/* The largest client message read; a longer one closes the connection with 1009. */
#define WSD_RX_MAX 4096
/* libwebsockets' receive buffer, allocated for every connection: client messages are a
 * few bytes ({"type":"ping"}), a longer one arrives in pieces of this size. */
#define WSD_RX_CHUNK 512
/* Seconds a connection being closed may take to send its close frame before it is cut. */
#define WSD_CLOSE_GRACE_SECS 5
/* Pongs owed to one client beyond which further pings are ignored. */
#define WSD_PONGS_MAX 16
/* The payload of wsd's protocol pings: libwebsockets hands a pong to the protocol
 * callback only when it carries one. */
#define WSD_PING_PAYLOAD "wsd"


/* One WebSocket connection: libwebsockets' per-session data (zeroed when it is made). */
struct client {
	struct lws *wsi;
	struct client *prev, *next; /* in wsd.clients while admitted */
	bool admitted;              /* authenticated, a member, counted, receiving pushes */
	bool closing;               /* a close was requested: no more pushes, no more reads */
	int close_code;             /* sent by the next writeable callback when closing */
	const char *close_reason;   /* a string literal */
	bool ping_due;              /* a protocol ping is to be written */
	unsigned pongs_due;
	struct ws_queue queue;
	char user_id[40];
	char session_id[40];        /* the token's sid: the session whose end closes the client */
	char request_id[40];        /* nginx's X-Request-Id of the upgrade, for the logs */
	long long expires_at;       /* the token's exp */
	long long last_pong_ms;     /* monotonic: the last protocol pong, or the admission */
	char *rx;                   /* a client message arriving in pieces (NULL otherwise) */
	size_t rx_len;
};

struct listener;

struct wsd {
	struct lws_context *context;
	struct lws_vhost *vhost;
	struct arena *arena;        /* scratch, reset after each event */
	const char *jwt_secret;
	const char *allowed_origins; /* http.allowed_origins: other origins whose pages may connect */
	size_t queue_limit;
	int ping_interval;
	size_t max_clients;
	long session_max_days;      /* auth.session_max_days */
	bool stopping;
	size_t nconnections;        /* upgraded connections not yet closed (admitted or not) */
	lws_sorted_usec_list_t tick; /* wsd.c: wakes the loop while stopping */

	/* clients.c */
	struct client *clients;     /* admitted clients that are not closing */
	size_t nclients;            /* how many */
	size_t nidle;               /* of them, with an empty queue */
	lws_sorted_usec_list_t sweep;

	/* listener.c */
	struct listener *listener;
};

/* The wsd that owns a connection. */
struct wsd *wsd_of(struct lws *wsi);

/* session.c: the protocol callback of the WebSocket connections (protocols[0]). */
int session_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

/* clients.c */
/* The periodic membership sweep; clients_stop() cancels it (before lws_context_destroy). */
void clients_start(struct wsd *w);
void clients_stop(struct wsd *w);
/* Counts the client in, with an empty queue. */
void clients_admit(struct wsd *w, struct client *c);
/* Asks for the connection to be closed with code and reason (a literal): its queue is
 * released now, the close frame goes out on its next writeable callback, and it is cut
 * after WSD_CLOSE_GRACE_SECS whatever happens. Idempotent. */
void clients_close(struct wsd *w, struct client *c, int code, const char *reason);
/* The connection is gone: forget it. */
void clients_forget(struct wsd *w, struct client *c);
/* Cuts the connection at once, without a close frame (a client that answers no ping). */
void clients_cut(struct wsd *w, struct client *c);
/* The client's oldest message was written. */
void clients_sent_one(struct wsd *w, struct client *c);
/* One notification payload to every admitted client (acting first on user.removed). */
void clients_broadcast(struct wsd *w, const char *payload, size_t len);
/* Every client closed with 1001 (stopping). */
void clients_close_all(struct wsd *w, int code, const char *reason);
/* Admitted clients with an empty queue, or no admitted client at all. */
bool clients_any_idle(const struct wsd *w);

/* listener.c */
void listener_start(struct wsd *w);
/* Before lws_context_destroy(): no more timers, the adopted descriptor forgotten. */
void listener_stop(struct wsd *w);
/* After lws_context_destroy(): the connection closed, the listener freed. */
void listener_free(struct wsd *w);
/* True while the database connection is up and listening. */
bool listener_up(const struct wsd *w);
/* The connection for a query; call listener_after_query() with the query's status. */
struct db *listener_db(const struct wsd *w);
/* After any query: a connection the query found dead (DB_UNAVAILABLE) starts the
 * reconnection backoff; notifications read meanwhile are taken on the next loop turn. */
void listener_after_query(struct wsd *w, int status);
/* A client caught up: if a notification waits for one, take it on the next loop turn. */
void listener_kick(struct wsd *w);
/* The protocol callback of the adopted database socket (protocols[1]). */
int listener_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

#endif
