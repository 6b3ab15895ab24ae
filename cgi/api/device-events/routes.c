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
	{ "limit", FIELD_INT, .min = BOUND(1), .max = BOUND(EVENTS_PAGE_MAX) },
	/* Opaque; its shape is checked by event_cursor_decode ("before: invalid cursor"). */
	{ "before", FIELD_STRING, .max = BOUND(1024) },
	{ 0 },
};

/* GET /api/device-events — {"items":[…],"nextCursor":"…"|null}, newest first. */
static int event_list(struct request *req)
{
	struct event_filter f;
	long limit;
	if (event_filter_or_reply(req, &f, &limit))
		return req->status;
	PGresult *res = db_run(req, device_events_page, f.device_id, f.kind, f.since, f.until, f.before, f.before_id,
			       f.fetch);
	const char *next = res && PQntuples(res) > limit
				   ? event_cursor_encode(req->arena, db_value(res, (int)limit - 1, EVENT_COL_CURSOR_US),
							 db_value(res, (int)limit - 1, EVENT_COL_ID))
				   : NULL;
	return reply_page(req, res, (int)limit, device_event_columns, next);
}

static const struct route routes[] = {
	{ "GET", "/api/device-events", event_list, WHO_MEMBER, .query = event_list_query,
	  .reply = REPLY_PAGE(device_event_columns), .summary = "What happened to devices, newest first, paged" },
	{ 0 },
};

int main(void)
{
	return worker_main("device-events", routes);
}
