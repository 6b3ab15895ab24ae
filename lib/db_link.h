/*
 * db_link.h — a daemon's connection to PostgreSQL, made and kept without ever blocking
 * the daemon's event loop.
 *
 * A link drives the connection of one struct db (lib/db.h) through its life: it starts
 * an attempt with db_connect_start() (db_connect()'s parameters exactly), advances it
 * with PQconnectPoll whenever the socket is ready, sends LISTEN for its channels on the
 * new connection (also without waiting), and only then hands the connection to the db
 * with db_adopt(): db_generation() increases, prepared statements are prepared again,
 * and the daemon's queries run as before. A failed attempt, or one that has not
 * finished within db.connect_timeout seconds (a server that accepts and never answers),
 * is abandoned and retried after a capped exponential backoff with jitter (backoff.h,
 * from DB_LINK_FIRST_RETRY_MS up to db.retry_max_ms). A lost connection is noticed when
 * its socket reports the server gone, or when a query left the db without a usable
 * connection; the db is set never to reconnect by itself (db_set_reconnect(db, false)).
 *
 * The event loop asks three things and calls one:
 *
 *     fd      = db_link_socket(l)            -1: nothing to watch
 *     events  = db_link_events(l)            POLLIN and/or POLLOUT
 *     timeout = db_link_timeout_ms(l, now)   -1: no deadline
 *     ev      = db_link_step(l, now, revents)  when fd was ready (revents) or the
 *                                             timeout passed (revents 0); also after
 *                                             queries, to notice a lost connection
 *
 * The fd can change between attempts (and even inside one): ask again after every step.
 * ev says DB_LINK_CONNECTED when the connection became usable (listening, adopted) and
 * DB_LINK_LOST when a usable connection went away; the daemon logs those in its own
 * words. The link logs failed attempts: the first of an outage and those at the cap as
 * warnings ("database unreachable (why); retrying in N ms"), the others at debug.
 * While up, notifications are read into libpq by db_link_step(): take them with
 * PQnotifies(db_conn(db)).
 *
 * Host names in db.conninfo are resolved by libpq synchronously: use a socket directory
 * or a numeric address (hostaddr) where the name service may hang. now is monotonic ms
 * (time_monotonic_ms()), passed in so the state machine can be tested without a clock.
 */
#ifndef STATION_DB_LINK_H
#define STATION_DB_LINK_H

#include <stdbool.h>

#include "backoff.h"
#include "db.h"

/* The first pause after a failure; it doubles up to db.retry_max_ms. */
#define DB_LINK_FIRST_RETRY_MS 250
/* db_link_hurry() brings an attempt forward at most this often. */
#define DB_LINK_HURRY_MS 1000

enum db_link_event {
	DB_LINK_QUIET,     /* nothing the daemon needs to know */
	DB_LINK_CONNECTED, /* a new connection is up and listening */
	DB_LINK_LOST,      /* the connection that was up is gone; attempts follow */
};

struct db_link;

/*
 * A link for db, LISTENing on channels (NULL-terminated identifiers, NULL for none;
 * the array and its strings must outlive the link). Reads db.connect_timeout and
 * db.retry_max_ms. The first attempt is due at once: call db_link_step() to start it.
 */
struct db_link *db_link_new(struct db *db, const char *const *channels);
/* Abandons an attempt in progress; the db and its connection stay the caller's. */
void db_link_free(struct db_link *l);

int db_link_socket(const struct db_link *l);
short db_link_events(const struct db_link *l);
long db_link_timeout_ms(const struct db_link *l, long long now);
enum db_link_event db_link_step(struct db_link *l, long long now, short revents);

/* True while the db has a usable, listening connection. */
bool db_link_up(const struct db_link *l);
/* Connecting or LISTENing right now (the socket is the attempt's). */
bool db_link_connecting(const struct db_link *l);
/* Failed attempts since the connection was lost (or since the start). */
int db_link_failures(const struct db_link *l);
/* Someone is waiting (a device's handshake): start the next attempt now, unless one
 * started less than DB_LINK_HURRY_MS ago. */
void db_link_hurry(struct db_link *l, long long now);

#endif
