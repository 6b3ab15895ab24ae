/*
 * routes.c — api-device-events: the feed of what happened to devices (SPEC §4
 * device-events): status changes, commands sent, device events and state transitions.
 *
 * GET /api/device-events is an unbounded history, so it is paged (SPEC §2): newest first
 * by (created_at, id), `?limit=` items and `?before=<cursor>` for the next page, answered
 * as {"items":[…],"nextCursor":…}. One extra row is fetched to know whether a next page
 * exists, so nextCursor is null exactly on the last page. Items carry the device's name
 * and type so that the feed renders alone. The feed is read-only: this worker never
 * writes to the feed (mqttd writes the events, station-cron removes the old ones).
 *
 * The settings say, per device and per event of its type, whether the event is recorded
 * (a row in the feed) and whether it is pushed (station_events → /ws). An admin replaces
 * a device's settings with PUT; what it does not list falls back to its type's preset
 * (GET /presets). station-mqttd reads them in the statements that write each batch, so
 * a change applies to the next message (docs/mqttd.md).
 */
#include <libpq-fe.h>

#include "json_reader.h"
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
	PAGE_QUERY_FIELDS,
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
	const char *next = page_next_cursor(req, res, limit, EVENT_COL_CURSOR_US, EVENT_COL_ID);
	return reply_page(req, res, (int)limit, device_event_columns, next);
}

/* GET /api/device-events/settings?deviceId */
static const struct field settings_list_query[] = {
	{ "deviceId", FIELD_UUID },
	{ 0 },
};

/* GET /api/device-events/settings — every event of every device (or of one) with the
 * setting in force. A UUID that names no device is an empty list, as in the feed. */
static int settings_list(struct request *req)
{
	return reply_rows(req, db_run(req, event_settings_list, req_query(req, "deviceId")), event_setting_columns);
}

/* PUT /api/device-events/settings/:deviceId {events:[{action,record,notify}]} */
static const struct field setting_fields[] = {
	{ "action", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(64) },
	{ "record", FIELD_BOOL, .required = true },
	{ "notify", FIELD_BOOL, .required = true },
	{ 0 },
};
static const struct field setting_item = { "setting", FIELD_OBJECT, .fields = setting_fields };
static const struct field settings_body[] = {
	{ "events", FIELD_ARRAY, .required = true, .max = BOUND(64), .items = &setting_item,
	  .check = schema_unique_actions_check },
	{ 0 },
};

/* Replaces the device's own settings with the body's (an empty list: its type's presets
 * again) and answers the device's settings in force, as GET /settings?deviceId does. */
static int settings_put(struct request *req)
{
	const char *id = req_param(req, "deviceId");
	PGresult *device = db_row(req, "device not found", event_settings_device, id);
	if (!device || event_settings_or_reply(req, device))
		return req->status;
	const char *events = json_text(req->arena, json_get_array(req->body, "events"));
	if (!db_run(req, event_settings_clear, id) || !db_run(req, event_settings_insert, id, events))
		return req->status;
	return reply_rows(req, db_run(req, event_settings_list, id), event_setting_columns);
}

/* GET /api/device-events/presets — each registered type's events with their defaults. */
static int presets_list(struct request *req)
{
	return reply_rows(req, db_run(req, event_presets_list), event_preset_columns);
}

static const struct route routes[] = {
	{ "GET", "/api/device-events", event_list, WHO_MEMBER, .query = event_list_query,
	  .reply = REPLY_PAGE(device_event_columns), .summary = "What happened to devices, newest first, paged" },
	{ "GET", "/api/device-events/settings", settings_list, WHO_MEMBER, .query = settings_list_query,
	  .reply = REPLY_ROWS(event_setting_columns),
	  .summary = "Whether each event of each device is recorded and pushed" },
	{ "PUT", "/api/device-events/settings/:deviceId", settings_put, WHO_ADMIN, .body = settings_body,
	  .tx = TX_WRITE, .reply = REPLY_ROWS(event_setting_columns), .errors = ERR_404,
	  .summary = "Replace a device's event settings; unlisted events follow the type's preset" },
	{ "GET", "/api/device-events/presets", presets_list, WHO_MEMBER, .reply = REPLY_ROWS(event_preset_columns),
	  .summary = "The default settings of each device type's events" },
	{ 0 },
};

WORKER_MAIN("device-events", routes, NULL);
