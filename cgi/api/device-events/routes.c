/*
 * routes.c — api-device-events: the feed of what happened to devices (SPEC §4
 * device-events): status changes, commands sent, device events and state transitions.
 *
 * GET /api/device-events is an unbounded history, so it is paged (SPEC §2): newest first
 * by (created_at, id), `?limit=` items and `?before=<cursor>` for the next page, answered
 * as {"items":[…],"nextCursor":…}. One extra row is fetched to know whether a next page
 * exists, so nextCursor is null exactly on the last page. Items carry the device's name
 * and type so that the feed renders alone. The feed is read-only: this worker never
 * writes (mqttd writes the events, station-cron removes the old ones).
 * The settings and presets routes of SPEC §4 come with a later issue.
 */
#include <libpq-fe.h>

#include "repo.h"
#include "runtime.h"
#include "service.h"

static const char *const event_kinds[] = { "status_changed", "command_sent", "event_received",
					   "state_transition", NULL };

/* GET /api/device-events?deviceId&kind&since&until&limit&before */
static const struct field event_list_query[] = {
	{ "deviceId", FIELD_UUID },
	{ "kind", FIELD_ENUM, .values = event_kinds },
	{ "since", FIELD_TIME },
	{ "until", FIELD_TIME },
	{ "limit", FIELD_INT, .min = 1, .max = EVENTS_PAGE_MAX },
	/* Opaque; its shape is checked by event_cursor_decode ("before: invalid cursor"). */
	{ "before", FIELD_STRING, .max = 1024 },
	{ 0 },
};

/* GET /api/device-events — {"items":[…],"nextCursor":"…"|null}, newest first. */
static int event_list(struct request *req)
{
	struct event_filter filter;
	long limit;
	if (event_filter_or_reply(req, &filter, &limit))
		return req->status;
	PGresult *res;
	enum db_status st = device_events_page(req->db, req->arena, &filter, &res);
	if (st != DB_OK)
		return reply_db_error(req, st);

	int rows = PQntuples(res);
	int shown = rows > limit ? (int)limit : rows;
	struct jw *w = reply_json(req, 200);
	jw_object_begin(w);
	jw_key(w, "items");
	jw_array_begin(w);
	for (int row = 0; row < shown; row++)
		db_write_row(w, res, row, device_event_columns);
	jw_array_end(w);
	jw_key(w, "nextCursor");
	if (rows > shown)
		jw_string(w, event_cursor_encode(req->arena, db_value(res, shown - 1, EVENT_COL_CURSOR_US),
						 db_value(res, shown - 1, EVENT_COL_ID)));
	else
		jw_null(w);
	jw_object_end(w);
	return 200;
}

static const struct route routes[] = {
	{ "GET", "/api/device-events", event_list, WHO_MEMBER, .query = event_list_query },
	{ 0 },
};

int main(void)
{
	return worker_main("device-events", routes);
}
