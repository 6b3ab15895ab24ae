/*
 * notify.h — announcing on the Postgres bus: pg_notify(channel, payload), and the
 * envelope of every station_events message (SPEC §6).
 *
 * Delivered to listeners when the surrounding transaction commits, so a change and its
 * announcement are never separated. A payload of 8000 bytes or more fails the whole
 * transaction, so station_event_end() checks the finished text.
 */
#ifndef STATION_NOTIFY_H
#define STATION_NOTIFY_H

#include <stdbool.h>

#include "arena.h"
#include "db.h"
#include "json_writer.h"
#include "statement.h"

/* The longest payload pg_notify accepts. */
#define NOTIFY_PAYLOAD_MAX 7999

/* pg_notify($1 channel, $2 payload); the FastCGI runtime runs it as notify_or_reply(). */
STATEMENT_DECLARE(notify_statement, 2);
enum db_status notify_send(struct db *db, struct arena *arena, const char *channel, const char *payload);

/* A station_events message being written: {"type":…,"data":{…},"ts":…[,"truncated":true]}. */
struct station_event {
	struct jw_text text;
};

/* Starts {"type":type,"data":{ — the caller writes data's members. */
struct jw *station_event_begin(struct station_event *ev, struct arena *arena, const char *type);
/* Closes data and adds "ts" (now_ms) and, when truncated (a big member of data left out,
 * clients refetch), "truncated":true. The payload, or NULL when it is longer than
 * NOTIFY_PAYLOAD_MAX. Pure: no database. */
const char *station_event_end(struct station_event *ev, struct arena *arena, long long now_ms, bool truncated);

/*
 * {"type":type,"data":{row `row` of res, through map},"ts":now}. When that is too long
 * for the bus, the event is written without column big_col (a device's state, say) and
 * marked truncated, so listeners refetch; NULL when even that does not fit (or big_col
 * is -1). Pure: no database.
 */
const char *station_event_from_row(struct arena *arena, const char *type, const PGresult *res, int row,
				   const struct db_column *map, int big_col, long long now_ms);

#endif
