/*
 * database.h — whether mqttd may use its PostgreSQL connection now, and getting it back.
 *
 * The connection is kept by lib/db_link (never blocking the loop): it connects with
 * backoff, LISTENs device_commands on every new connection, and lib/db never reconnects
 * by itself. This wrapper keeps mqttd's view of it: up or not, the outage logged once
 * when it starts and once when it ends, and the link's socket and deadline for the
 * event loop. Once a statement reports the database unavailable, nothing is sent until
 * a new connection is up; an urgent caller (a handshake a device is waiting on) brings
 * the next attempt forward, at most once a second — the device itself gets no answer
 * and asks again.
 */
#ifndef MQTTD_DATABASE_H
#define MQTTD_DATABASE_H

#include <stdbool.h>

#include "db.h"
#include "db_link.h"

struct database {
	struct db *db;
	struct db_link *link;
	bool up;
	bool ever_up;
	long long down_since; /* monotonic ms, when down after having been up */
};

/* Starts connecting db (LISTEN on channels, NULL-terminated); nothing blocks. */
void database_init(struct database *d, struct db *db, const char *const *channels);
void database_free(struct database *d);

/* True when statements may be sent now; notices a connection lib/db found dead, and
 * starts an attempt that is due (urgent: brings it forward). */
bool database_usable(struct database *d, long long now, bool urgent);
/* A statement reported DB_UNAVAILABLE: the outage starts (if it had not). */
void database_lost(struct database *d, long long now);
/* Milliseconds until the link has something to do without its socket (-1: nothing). */
long database_timeout_ms(const struct database *d, long long now);

/* The socket to poll (-1: none) and the poll events it waits for. */
int database_socket(const struct database *d);
short database_events(const struct database *d);
/* poll() reported revents on the socket: advances the attempt or reads what the server
 * sent (notifications, a goodbye). */
void database_io(struct database *d, long long now, short revents);
/* The next notification received, or NULL; free it with PQfreemem. */
PGnotify *database_notification(struct database *d);

#endif
