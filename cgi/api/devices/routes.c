/*
 * routes.c — api-devices: devices, their tokens and the command outbox (SPEC §4 devices).
 *
 * The table at the bottom says who may call each route and what its body and query
 * look like; the runtime enforces that before a handler runs. Handlers read top to
 * bottom: rules from service.c, SQL from repo.c, one reply. Every change is announced
 * (station_events, device_credentials) inside the transaction that makes it, so a
 * listener hears of exactly the changes that were committed. A device token exists in
 * clear only in the one response that hands it out; only its SHA-256 is stored.
 */
#include <libpq-fe.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "runtime.h"
#include "repo.h"
#include "service.h"

static const char *const device_statuses[] = { "online", "offline", "unknown", NULL };

/* GET /api/devices?zoneId=<uuid>|null&type=&status=&q= */
static const struct field device_list_query[] = {
	{ "zoneId", FIELD_UUID, .nullable = true },
	{ "type", FIELD_STRING, .min = BOUND(1), .max = BOUND(64) },
	{ "status", FIELD_ENUM, .values = device_statuses },
	{ "q", FIELD_STRING, .max = BOUND(100) },
	{ 0 },
};

static const struct field device_create_body[] = {
	{ "externalId", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(64), .check = device_external_id_check },
	{ "name", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(100) },
	{ "type", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(64) },
	{ "zoneId", FIELD_UUID, .nullable = true },
	{ 0 },
};

static const struct field device_patch_body[] = {
	{ "name", FIELD_STRING, .min = BOUND(1), .max = BOUND(100) },
	{ "zoneId", FIELD_UUID, .nullable = true },
	{ 0 },
};

/* Only the action is declared: the other members are the command's params. */
static const struct field device_command_body[] = {
	{ "action", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(64), .check = device_action_check },
	{ 0 },
};

static const struct field device_commands_query[] = {
	{ "limit", FIELD_INT, .min = BOUND(1), .max = BOUND(200) },
	{ 0 },
};

static const struct field device_bootstrap_reply[] = {
	{ "stationId", FIELD_UUID },
	{ "mqttHost", FIELD_STRING, .nullable = true },
	{ "mqttPort", FIELD_INT },
	{ "deviceId", FIELD_STRING },
	{ 0 },
};
static const struct field device_created_reply[] = {
	{ "device", FIELD_OBJECT, .columns = device_columns },
	{ "deviceToken", FIELD_STRING },
	{ "bootstrap", FIELD_OBJECT, .fields = device_bootstrap_reply },
	{ 0 },
};
static const struct field device_token_reply[] = {
	{ "deviceToken", FIELD_STRING },
	{ 0 },
};

/* Tags the list with its version and the view the query asks for (every member sees every
 * device today; a rule that narrowed a caller's view would enter the tag too); 0, or 304
 * when the request's If-None-Match holds the tag. */
static int device_list_tag_or_reply(struct request *req, const char *version, const char *limit)
{
	const struct view_input view[] = { { "zoneId", req_query(req, "zoneId") }, { "type", req_query(req, "type") },
					   { "status", req_query(req, "status") },  { "q", req_query(req, "q") },
					   { "limit", limit },                       { NULL, NULL } };
	return version ? not_modified_or_reply(req, view_etag(req, version, view)) : 0;
}

/*
 * GET /api/devices — a plain array, ordered by name, at most devices.list_limit rows,
 * tagged with the list's version and its query (view_etag). A request that sends
 * a tag back is first checked against the version alone (one one-row read, then a 304
 * without a body); a full answer reads its version in the list's own statement, so the
 * tag is exactly that of the rows it goes out with (a version read apart from the rows
 * could be newer than they are, and a browser would keep stale rows under a current tag).
 */
static int device_list(struct request *req)
{
	const char *zone = req_query(req, "zoneId"), *q = req_query(req, "q");
	bool zone_none = zone && strcmp(zone, "null") == 0;
	const char *limit = db_param_long(req, cfg_int("devices.list_limit"));
	if (req_header(req, "HTTP_IF_NONE_MATCH")) {
		PGresult *version = db_run(req, devices_list_version);
		if (!version || (PQntuples(version) == 1 && device_list_tag_or_reply(req, db_value(version, 0, 0), limit)))
			return req->status;
	}
	PGresult *res = db_run(req, devices_list, zone_none ? NULL : zone, db_param_bool(zone_none),
			       req_query(req, "type"), req_query(req, "status"), q && *q ? q : NULL, limit);
	if (!res)
		return req->status;
	/* An empty list has no row to carry its version, and one read after the list could be
	 * newer than it: it goes out untagged. */
	if (PQntuples(res) > 0 && device_list_tag_or_reply(req, db_value(res, 0, LIST_COL_VERSION), limit))
		return req->status;
	return reply_rows(req, res, device_columns);
}

/* GET /api/devices/:id */
static int device_get(struct request *req)
{
	PGresult *res = db_run(req, devices_by_id, req_param(req, "id"));
	return reply_row_or_404(req, res, device_columns, "device not found");
}

/* POST /api/devices — 201 {device, deviceToken, bootstrap}; the token is never shown again. */
static int device_create(struct request *req)
{
	const char *external_id = body_string(req, "externalId"), *type = body_string(req, "type");
	const char *zone_id = body_string(req, "zoneId"); /* NULL when absent or null */
	PGresult *refs = db_run(req, devices_create_refs, type, zone_id), *device;
	if (!refs)
		return req->status;
	if (PQntuples(refs) == 0)
		return reply_error(req, 500, "no station row: station-migrate has not run");
	if (!db_bool(refs, 0, REFS_TYPE_EXISTS))
		return reply_error(req, 400, "type: unknown device type");
	if (!db_bool(refs, 0, REFS_ZONE_EXISTS))
		return reply_error(req, 400, "zoneId: zone not found");
	const char *token = token_new(req->arena), *host = cfg_string("mqtt.public_host");
	device = db_run(req, devices_insert, external_id, body_string(req, "name"), type, zone_id,
			token_hash(req->arena, token));
	if (!device || announce_row_or_reply(req, "device.created", device, device_columns, DEVICE_COL_STATE))
		return req->status;

	struct jw *w = reply_json(req);
	jw_object_begin(w);
	jw_key(w, "device");
	db_write_row(w, device, 0, device_columns);
	jw_member_string(w, "deviceToken", token);
	jw_key(w, "bootstrap");
	jw_object_begin(w);
	jw_member_string(w, "stationId", db_value(refs, 0, REFS_STATION_ID));
	jw_member_string(w, "mqttHost", *host ? host : req_host_name(req));
	jw_member_int(w, "mqttPort", cfg_int("mqtt.public_port"));
	jw_member_string(w, "deviceId", external_id);
	jw_object_end(w);
	jw_object_end(w);
	return reply_ok(req);
}

/* PATCH /api/devices/:id {name?, zoneId?}; zoneId null takes the device out of its zone. */
static int device_patch(struct request *req)
{
	const char *name = body_string(req, "name");
	bool zone_set = body_has(req, "zoneId");
	if (!name && !zone_set)
		return reply_error(req, 400, "body: nothing to update");
	PGresult *res = db_row(req, "device not found", devices_update, req_param(req, "id"), name,
			       db_param_bool(zone_set), body_string(req, "zoneId"));
	if (!res || announce_row_or_reply(req, "device.updated", res, device_columns, DEVICE_COL_STATE))
		return req->status;
	return reply_row(req, res, device_columns);
}

/* DELETE /api/devices/:id — 204; its commands go with it, its MQTT session is dropped. */
static int device_delete(struct request *req)
{
	PGresult *res = db_row(req, "device not found", devices_delete, req_param(req, "id"));
	if (!res || announce_row_or_reply(req, "device.deleted", res, device_deleted_columns, -1) ||
	    device_announce_credentials(req, db_value(res, 0, DELETED_COL_EXTERNAL_ID), "deleted"))
		return req->status;
	return reply_empty(req);
}

/* POST /api/devices/:id/command {action, ...params} — 202, queued for mqttd. */
static int device_command(struct request *req)
{
	PGresult *target = db_row(req, "device not found", devices_command_target, req_param(req, "id")), *queued;
	const char *params_json;
	if (!target || device_command_or_reply(req, target, &params_json))
		return req->status;
	if (strcmp(db_value(target, 0, TARGET_COL_STATUS), "online") != 0)
		return reply_error(req, 409, "device is offline");
	queued = db_run(req, device_commands_enqueue, db_value(target, 0, TARGET_COL_ID), body_string(req, "action"),
			params_json, req->caller.user_id, db_param_long(req, cfg_int("devices.command_ttl")));
	return reply_row(req, queued, command_queued_columns);
}

/* GET /api/devices/:id/commands?limit= — newest first; 404 for a device that does not exist. */
static int device_commands(struct request *req)
{
	const char *id = req_param(req, "id"), *limit = req_query(req, "limit");
	PGresult *res = db_run(req, device_commands_recent, id, limit ? limit : "50");
	if (res && PQntuples(res) == 0 && !db_row(req, "device not found", devices_exists, id))
		return req->status; /* no commands, and no device either */
	return reply_rows(req, res, device_command_columns);
}

/* POST /api/devices/:id/token — a new token; the old one is dead when this commits. */
static int device_token_rotate(struct request *req)
{
	const char *token = token_new(req->arena);
	PGresult *res = db_row(req, "device not found", devices_set_token_hash, req_param(req, "id"),
			       token_hash(req->arena, token));
	if (!res || device_announce_credentials(req, db_value(res, 0, 0), "rotated"))
		return req->status;
	jw_object_of_strings(reply_json(req), "deviceToken", token, NULL);
	return reply_ok(req);
}

static const struct route routes[] = {
	{ "GET", "/api/devices", device_list, WHO_MEMBER, .query = device_list_query,
	  .reply = REPLY_ROWS(device_columns), .conditional = true,
	  .summary = "Devices, filtered, ordered by name; 304 while If-None-Match holds its ETag" },
	{ "GET", "/api/devices/:id", device_get, WHO_MEMBER, .reply = REPLY_ROW(device_columns),
	  .summary = "One device" },
	{ "POST", "/api/devices", device_create, WHO_ADMIN, .body = device_create_body, .tx = TX_WRITE,
	  .status = 201, .reply = REPLY_OBJECT(device_created_reply), .errors = ERR_409,
	  .summary = "Register a device; its token is shown once" },
	{ "PATCH", "/api/devices/:id", device_patch, WHO_ADMIN, .body = device_patch_body, .tx = TX_WRITE,
	  .reply = REPLY_ROW(device_columns), .summary = "Rename a device or move it to another zone" },
	{ "DELETE", "/api/devices/:id", device_delete, WHO_ADMIN, .tx = TX_WRITE, .reply = REPLY_NONE,
	  .summary = "Delete a device and drop its MQTT session" },
	{ "POST", "/api/devices/:id/command", device_command, WHO_MEMBER, .body = device_command_body,
	  .tx = TX_WRITE, .status = 202, .reply = REPLY_ROW(command_queued_columns), .errors = ERR_409,
	  .summary = "Queue a command for an online device" },
	{ "GET", "/api/devices/:id/commands", device_commands, WHO_MEMBER, .query = device_commands_query,
	  .tx = TX_READ, .reply = REPLY_ROWS(device_command_columns), .summary = "Recent commands, newest first" },
	{ "POST", "/api/devices/:id/token", device_token_rotate, WHO_ADMIN, .tx = TX_WRITE,
	  .reply = REPLY_OBJECT(device_token_reply), .summary = "Rotate the device token" },
	{ 0 },
};

WORKER_MAIN("devices", routes, NULL);
