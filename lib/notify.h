/*
 * notify.h — announcing on the Postgres bus: pg_notify(channel, payload).
 *
 * Delivered to listeners when the surrounding transaction commits, so a change and its
 * announcement are never separated. Payloads must stay under 8000 bytes.
 */
#ifndef STATION_NOTIFY_H
#define STATION_NOTIFY_H

#include "db.h"

enum db_status notify_send(struct db *db, struct arena *arena, const char *channel, const char *payload);

#endif
