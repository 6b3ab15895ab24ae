/*
 * database.h — whether mqttd may use its PostgreSQL connection now, and getting it back.
 *
 * lib/db reconnects by itself before a statement, but a daemon must not pay a connection
 * attempt for every MQTT message during an outage. This wrapper keeps the verdict: once
 * a statement reports the database unavailable, nothing is sent until the next attempt
 * is due (capped backoff, db.retry_max_ms), except that an urgent caller (a handshake a
 * device is waiting on) may try at most once a second. The outage is logged once when
 * it starts and once when it ends. It also watches the connection's socket for
 * notifications (LISTEN) and for the server going away.
 */
#ifndef MQTTD_DATABASE_H
#define MQTTD_DATABASE_H

#include <stdbool.h>

#include "db.h"
#include "infrastructure/backoff.h"

struct database {
	struct db *db;
	bool up;
	struct backoff backoff;
	long long next_attempt;  /* monotonic ms, when down */
	long long last_attempt;
	long long down_since;
};

void database_init(struct database *d, struct db *db, long retry_max_ms);

/* True when statements may be sent now; tries to reconnect when an attempt is due
 * (urgent: at most once a second). */
bool database_usable(struct database *d, long long now, bool urgent);
/* A statement reported DB_UNAVAILABLE (or the socket died): the outage starts.
 * reason NULL: lib/db's last error. */
void database_lost(struct database *d, long long now, const char *reason);
/* Milliseconds until a reconnection attempt is due (-1: none needed). */
long database_timeout_ms(const struct database *d, long long now);

/* The connection's socket to poll for input, or -1. */
int database_socket(const struct database *d);
/* Reads what the server sent (notifications, a goodbye); false when the connection died. */
bool database_consume(struct database *d, long long now);
/* The next notification received, or NULL; free it with PQfreemem. */
PGnotify *database_notification(struct database *d);

#endif
