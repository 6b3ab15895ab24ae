/*
 * database.c — availability of mqttd's database connection (see database.h).
 *
 * Only lib/db opens connections; this file decides when to ask it to. It sends no SQL
 * and never attempts a connection more often than the backoff (or, urgently, once a
 * second) allows.
 */
#include "infrastructure/database.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"

#define FIRST_RETRY_MS 250
#define URGENT_RETRY_MS 1000

static double jitter(void)
{
	return (double)rand() / ((double)RAND_MAX + 1.0);
}

void database_init(struct database *d, struct db *db, long retry_max_ms)
{
	d->db = db;
	d->up = db_conn(db) != NULL && PQstatus(db_conn(db)) == CONNECTION_OK;
	backoff_init(&d->backoff, FIRST_RETRY_MS, retry_max_ms);
	d->next_attempt = d->last_attempt = d->down_since = 0;
}

void database_lost(struct database *d, long long now, const char *reason)
{
	if (!d->up)
		return;
	d->up = false;
	d->down_since = now;
	d->last_attempt = now;
	long delay = backoff_next(&d->backoff, jitter());
	d->next_attempt = now + delay;
	char retry[24];
	snprintf(retry, sizeof retry, "%ld", delay);
	const char *why = reason ? reason : db_last_error(d->db);
	log_fields(LOG_WARN, "database unavailable; retrying with backoff", "reason", *why ? why : "connection lost",
		   "retryMs", retry, NULL);
}

static void attempt(struct database *d, long long now)
{
	d->last_attempt = now;
	if (db_connect(d->db) == 0) {
		char ms[24];
		snprintf(ms, sizeof ms, "%lld", now - d->down_since);
		log_fields(LOG_INFO, "database connected again", "outageMs", ms, NULL);
		d->up = true;
		backoff_reset(&d->backoff);
		return;
	}
	d->next_attempt = now + backoff_next(&d->backoff, jitter());
	log_fields(LOG_DEBUG, "database still unavailable", "reason", db_last_error(d->db), NULL);
}

bool database_usable(struct database *d, long long now, bool urgent)
{
	if (d->up) {
		PGconn *conn = db_conn(d->db);
		if (conn && PQstatus(conn) == CONNECTION_OK)
			return true;
		/* lib/db dropped the connection after a failure we have not been told of. */
		database_lost(d, now, NULL);
	}
	if (now >= d->next_attempt || (urgent && now - d->last_attempt >= URGENT_RETRY_MS))
		attempt(d, now);
	return d->up;
}

long database_timeout_ms(const struct database *d, long long now)
{
	if (d->up)
		return -1;
	long long wait = d->next_attempt - now;
	return wait < 0 ? 0 : (long)wait;
}

int database_socket(const struct database *d)
{
	PGconn *conn = d->up ? db_conn(d->db) : NULL;
	return conn ? PQsocket(conn) : -1;
}

bool database_consume(struct database *d, long long now)
{
	PGconn *conn = d->up ? db_conn(d->db) : NULL;
	if (!conn)
		return false;
	if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
		database_lost(d, now, "connection closed by the server");
		return false;
	}
	return true;
}

PGnotify *database_notification(struct database *d)
{
	PGconn *conn = d->up ? db_conn(d->db) : NULL;
	return conn ? PQnotifies(conn) : NULL;
}
