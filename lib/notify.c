/*
 * notify.c — the one statement every producer uses to announce on the bus, and the
 * envelope of station_events messages (see notify.h).
 */
#include "notify.h"

#include "timeutil.h"

STATEMENT(notify_statement, "SELECT pg_notify($1, $2)");

enum db_status notify_send(struct db *db, struct arena *arena, const char *channel, const char *payload)
{
	return statement_exec(db, arena, notify_statement, NULL, channel, payload);
}

struct jw *station_event_begin(struct station_event *ev, struct arena *arena, const char *type)
{
	struct jw *w = jw_text_begin(&ev->text, arena);
	jw_object_begin(w);
	jw_member_string(w, "type", type);
	jw_key(w, "data");
	jw_object_begin(w);
	return w;
}

const char *station_event_end(struct station_event *ev, struct arena *arena, long long now_ms, bool truncated)
{
	struct jw *w = &ev->text.w;
	jw_object_end(w);
	jw_member_string(w, "ts", time_rfc3339_ms(arena, now_ms));
	if (truncated)
		jw_member_bool(w, "truncated", true);
	jw_object_end(w);
	return ev->text.b.len <= NOTIFY_PAYLOAD_MAX ? ev->text.b.data : NULL;
}

const char *station_event_from_row(struct arena *arena, const char *type, const PGresult *res, int row,
				   const struct db_column *map, int big_col, long long now_ms)
{
	struct station_event ev;
	db_write_members(station_event_begin(&ev, arena, type), res, row, map);
	const char *payload = station_event_end(&ev, arena, now_ms, false);
	if (payload || big_col < 0)
		return payload;
	db_write_members_except(station_event_begin(&ev, arena, type), res, row, map, big_col);
	return station_event_end(&ev, arena, now_ms, true);
}
