/*
 * database.c — availability of mqttd's database connection (see database.h).
 *
 * Only lib/db_link opens connections; this file turns its events into mqttd's state and
 * log lines. It sends no SQL and never waits for the database.
 */
#include "infrastructure/database.h"

#include <stdio.h>

#include "log.h"
#include "timeutil.h"

/* The link reported something: update the verdict, log the start or end of an outage. */
static void on_event(struct database *d, long long now, enum db_link_event ev)
{
	if (ev == DB_LINK_CONNECTED) {
		d->up = true;
		if (d->ever_up) {
			char ms[24];
			snprintf(ms, sizeof ms, "%lld", now - d->down_since);
			log_fields(LOG_INFO, "database connected again", "outageMs", ms, NULL);
		} else if (db_link_failures(d->link) > 0) {
			log_info("database connected after %d retries", db_link_failures(d->link));
		}
		d->ever_up = true;
	} else if (ev == DB_LINK_LOST) {
		d->up = false;
		d->down_since = now;
		char retry[24];
		snprintf(retry, sizeof retry, "%ld", db_link_timeout_ms(d->link, now));
		const char *why = db_last_error(d->db);
		log_fields(LOG_WARN, "database unavailable; retrying with backoff", "reason",
			   *why ? why : "connection lost", "retryMs", retry, NULL);
	}
}

void database_init(struct database *d, struct db *db, const char *const *channels)
{
	d->db = db;
	d->link = db_link_new(db, channels);
	d->up = d->ever_up = false;
	d->down_since = 0;
	database_usable(d, time_monotonic_ms(), false);
}

void database_free(struct database *d)
{
	db_link_free(d->link);
	d->link = NULL;
}

bool database_usable(struct database *d, long long now, bool urgent)
{
	if (urgent)
		db_link_hurry(d->link, now);
	on_event(d, now, db_link_step(d->link, now, 0));
	return d->up;
}

void database_lost(struct database *d, long long now)
{
	on_event(d, now, db_link_step(d->link, now, 0));
}

long database_timeout_ms(const struct database *d, long long now)
{
	return db_link_timeout_ms(d->link, now);
}

int database_socket(const struct database *d)
{
	return db_link_socket(d->link);
}

short database_events(const struct database *d)
{
	return db_link_events(d->link);
}

void database_io(struct database *d, long long now, short revents)
{
	on_event(d, now, db_link_step(d->link, now, revents));
}

PGnotify *database_notification(struct database *d)
{
	PGconn *conn = d->up ? db_conn(d->db) : NULL;
	return conn ? PQnotifies(conn) : NULL;
}
