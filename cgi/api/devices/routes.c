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
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "external_id.h"
#include "runtime.h"
#include "repo.h"
#include "service.h"

static const char *const device_statuses[] = { "online", "offline", "unknown", NULL };

/* GET /api/devices?zoneId=<uuid>|null&type=&status=&q= */
static const struct field device_list_query[] = {
	{ "zoneId", FIELD_UUID, .nullable = true },
	{ "type", FIELD_STRING, .min = 1, .max = 64 },
	{ "status", FIELD_ENUM, .values = device_statuses },
	{ "q", FIELD_STRING, .max = 100 },
	{ 0 },
};

static const struct field device_create_body[] = {
	{ "externalId", FIELD_STRING, .required = true, .min = 1, .max = 64 },
	{ "name", FIELD_STRING, .required = true, .min = 1, .max = 100 },
	{ "type", FIELD_STRING, .required = true, .min = 1, .max = 64 },
	{ "zoneId", FIELD_UUID, .nullable = true },
	{ 0 },
};

static const struct field device_patch_body[] = {
	{ "name", FIELD_STRING, .min = 1, .max = 100 },
	{ "zoneId", FIELD_UUID, .nullable = true },
	{ 0 },
};

/* Only the action is declared: the other members are the command's params. */
static const struct field device_command_body[] = {
	{ "action", FIELD_STRING, .required = true, .min = 1, .max = 64 },
	{ 0 },
};

static const struct field device_commands_query[] = {
	{ "limit", FIELD_INT, .min = 1, .max = 200 },
	{ 0 },
};

/* GET /api/devices — a plain array, ordered by name, at most devices.list_limit rows. */
static int device_list(struct request *req)
{
	const char *zone = req_query(req, "zoneId"), *q = req_query(req, "q");
	struct device_filter filter = {
		.zone_none = zone && strcmp(zone, "null") == 0,
		.type = req_query(req, "type"),
		.status = req_query(req, "status"),
		.q = q && *q ? q : NULL,
		.limit = cfg_int("devices.list_limit"),
	};
	filter.zone_id = filter.zone_none ? NULL : zone;
	PGresult *res;
	enum db_status st = devices_list(req->db, req->arena, &filter, &res);
	if (st != DB_OK)
		return reply_db_error(req, st);
	db_write_rows(reply_json(req, 200), res, device_columns);
	return 200;
}

/* GET /api/devices/:id */
static int device_get(struct request *req)
{
	PGresult *res;
	enum db_status st = devices_get(req->db, req->arena, req_param(req, "id"), &res);
	if (st != DB_OK)
		return reply_db_error(req, st);
	if (PQntuples(res) == 0)
		return reply_error(req, 404, "device not found");
	db_write_row(reply_json(req, 200), res, 0, device_columns);
	return 200;
}

/* POST /api/devices — 201 {device, deviceToken, bootstrap}; the token is never shown again. */
static int device_create(struct request *req)
{
	const char *external_id = body_string(req, "externalId");
	const char *type = body_string(req, "type");
	const char *zone_id = body_string(req, "zoneId"); /* NULL when absent or null */
	if (!device_external_id_valid(external_id, external_id ? strlen(external_id) : 0))
		return reply_error(req, 400, "externalId: must contain only letters, digits, _ . : and -");

	PGresult *refs, *station, *res;
	enum db_status st = devices_check_refs(req->db, req->arena, type, zone_id, &refs);
	if (st != DB_OK)
		return reply_db_error(req, st);
	if (!db_bool(refs, 0, REFS_TYPE_EXISTS))
		return reply_error(req, 400, "type: unknown device type");
	if (!db_bool(refs, 0, REFS_ZONE_EXISTS))
		return reply_error(req, 400, "zoneId: zone not found");
	st = station_id_get(req->db, req->arena, &station);
	if (st != DB_OK)
		return reply_db_error(req, st);
	if (PQntuples(station) == 0)
		return reply_error(req, 500, "no station row: station-migrate has not run");

	const char *token = token_new(req->arena);
	const char *hash = token_hash(req->arena, token);
	if ((st = db_begin(req->db, req->arena)) != DB_OK)
		return reply_db_error(req, st);
	st = devices_insert(req->db, req->arena, external_id, body_string(req, "name"), type, zone_id, hash, &res);
	if (st == DB_CONFLICT) {
		db_rollback(req->db, req->arena);
		return reply_error(req, 409, "externalId: already registered");
	}
	if (st != DB_OK)
		return reply_rollback(req, st);
	if ((st = device_announce_row(req, "device.created", res, 0)) != DB_OK)
		return reply_rollback(req, st);
	if (db_commit_or_reply(req))
		return req->status;

	struct jw *w = reply_json(req, 201);
	jw_object_begin(w);
	jw_key(w, "device");
	db_write_row(w, res, 0, device_columns);
	jw_member_string(w, "deviceToken", token);
	jw_key(w, "bootstrap");
	jw_object_begin(w);
	jw_member_string(w, "stationId", db_value(station, 0, 0));
	jw_member_string(w, "mqttHost", device_mqtt_host(req->arena, cfg_string("mqtt.public_host"), req->host));
	jw_member_int(w, "mqttPort", cfg_int("mqtt.public_port"));
	jw_member_string(w, "deviceId", external_id);
	jw_object_end(w);
	jw_object_end(w);
	return 201;
}

/* PATCH /api/devices/:id {name?, zoneId?}; zoneId null takes the device out of its zone. */
static int device_patch(struct request *req)
{
	const char *name = body_string(req, "name");
	bool zone_set = body_has(req, "zoneId");
	const char *zone_id = zone_set && !body_is_null(req, "zoneId") ? body_string(req, "zoneId") : NULL;
	if (!name && !zone_set)
		return reply_error(req, 400, "body: nothing to update");

	PGresult *res;
	enum db_status st = db_begin(req->db, req->arena);
	if (st != DB_OK)
		return reply_db_error(req, st);
	st = devices_update(req->db, req->arena, req_param(req, "id"), name, zone_set, zone_id, &res);
	if (st == DB_INVALID && zone_id) { /* the only reference the update can break */
		db_rollback(req->db, req->arena);
		return reply_error(req, 400, "zoneId: zone not found");
	}
	if (st != DB_OK)
		return reply_rollback(req, st);
	if (PQntuples(res) == 0) {
		db_rollback(req->db, req->arena);
		return reply_error(req, 404, "device not found");
	}
	if ((st = device_announce_row(req, "device.updated", res, 0)) != DB_OK)
		return reply_rollback(req, st);
	if (db_commit_or_reply(req))
		return req->status;
	db_write_row(reply_json(req, 200), res, 0, device_columns);
	return 200;
}

/* DELETE /api/devices/:id — 204; its commands go with it, its MQTT session is dropped. */
static int device_delete(struct request *req)
{
	PGresult *res;
	enum db_status st = db_begin(req->db, req->arena);
	if (st != DB_OK)
		return reply_db_error(req, st);
	if ((st = devices_delete(req->db, req->arena, req_param(req, "id"), &res)) != DB_OK)
		return reply_rollback(req, st);
	if (PQntuples(res) == 0) {
		db_rollback(req->db, req->arena);
		return reply_error(req, 404, "device not found");
	}
	st = device_announce_deleted(req, db_value(res, 0, DELETED_COL_ID), db_value(res, 0, DELETED_COL_NAME));
	if (st == DB_OK)
		st = device_announce_credentials(req, db_value(res, 0, DELETED_COL_EXTERNAL_ID), "deleted");
	if (st != DB_OK)
		return reply_rollback(req, st);
	if (db_commit_or_reply(req))
		return req->status;
	return reply_empty(req, 204);
}

/* POST /api/devices/:id/command {action, ...params} — 202, queued for mqttd. */
static int device_command(struct request *req)
{
	PGresult *target, *res;
	enum db_status st = devices_command_target(req->db, req->arena, req_param(req, "id"), &target);
	if (st != DB_OK)
		return reply_db_error(req, st);
	if (PQntuples(target) == 0)
		return reply_error(req, 404, "device not found");
	const char *params_json;
	if (device_command_or_reply(req, target, &params_json))
		return req->status;
	if (strcmp(db_value(target, 0, TARGET_COL_STATUS), "online") != 0)
		return reply_error(req, 409, "device is offline");
	st = device_commands_enqueue(req->db, req->arena, db_value(target, 0, TARGET_COL_ID), body_string(req, "action"),
				     params_json, req->caller.user_id, cfg_int("devices.command_ttl"), &res);
	if (st != DB_OK)
		return reply_db_error(req, st);
	db_write_row(reply_json(req, 202), res, 0, command_queued_columns);
	return 202;
}

/* GET /api/devices/:id/commands?limit= — newest first. */
static int device_commands(struct request *req)
{
	const char *id = req_param(req, "id");
	const char *limit = req_query(req, "limit");
	PGresult *res, *found;
	enum db_status st = device_commands_recent(req->db, req->arena, id, limit ? atol(limit) : 50, &res);
	if (st != DB_OK)
		return reply_db_error(req, st);
	if (PQntuples(res) == 0) {
		if ((st = devices_exists(req->db, req->arena, id, &found)) != DB_OK)
			return reply_db_error(req, st);
		if (PQntuples(found) == 0)
			return reply_error(req, 404, "device not found");
	}
	db_write_rows(reply_json(req, 200), res, device_command_columns);
	return 200;
}

/* POST /api/devices/:id/token — a new token; the old one is dead when this commits. */
static int device_token_rotate(struct request *req)
{
	const char *token = token_new(req->arena);
	PGresult *res;
	enum db_status st = db_begin(req->db, req->arena);
	if (st != DB_OK)
		return reply_db_error(req, st);
	st = devices_set_token_hash(req->db, req->arena, req_param(req, "id"), token_hash(req->arena, token),
				    &res);
	if (st != DB_OK)
		return reply_rollback(req, st);
	if (PQntuples(res) == 0) {
		db_rollback(req->db, req->arena);
		return reply_error(req, 404, "device not found");
	}
	if ((st = device_announce_credentials(req, db_value(res, 0, 0), "rotated")) != DB_OK)
		return reply_rollback(req, st);
	if (db_commit_or_reply(req))
		return req->status;
	struct jw *w = reply_json(req, 200);
	jw_object_begin(w);
	jw_member_string(w, "deviceToken", token);
	jw_object_end(w);
	return 200;
}

static const struct route routes[] = {
	{ "GET", "/api/devices", device_list, WHO_MEMBER, .query = device_list_query },
	{ "GET", "/api/devices/:id", device_get, .who = WHO_MEMBER },
	{ "POST", "/api/devices", device_create, WHO_ADMIN, .body = device_create_body },
	{ "PATCH", "/api/devices/:id", device_patch, WHO_ADMIN, .body = device_patch_body },
	{ "DELETE", "/api/devices/:id", device_delete, .who = WHO_ADMIN },
	{ "POST", "/api/devices/:id/command", device_command, WHO_MEMBER, .body = device_command_body },
	{ "GET", "/api/devices/:id/commands", device_commands, WHO_MEMBER, .query = device_commands_query },
	{ "POST", "/api/devices/:id/token", device_token_rotate, .who = WHO_ADMIN },
	{ 0 },
};

int main(void)
{
	return worker_main("devices", routes);
}
