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
	buf_init(&ev->b, arena);
	jw_init(&ev->w, &ev->b);
	jw_object_begin(&ev->w);
	jw_member_string(&ev->w, "type", type);
	jw_key(&ev->w, "data");
	jw_object_begin(&ev->w);
	return &ev->w;
}

const char *station_event_end(struct station_event *ev, struct arena *arena, long long now_ms, bool truncated)
{
	jw_object_end(&ev->w);
	jw_member_string(&ev->w, "ts", time_rfc3339_ms(arena, now_ms));
	if (truncated)
		jw_member_bool(&ev->w, "truncated", true);
	jw_object_end(&ev->w);
	return ev->b.len <= NOTIFY_PAYLOAD_MAX ? ev->b.data : NULL;
}
