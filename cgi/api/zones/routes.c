/*
 * routes.c — api-zones: the rooms of the home, their order, and the devices in each
 * (SPEC §4 zones, docs/zones.md).
 *
 * Members read; owners and admins add, rename, reorder and delete. Every change is
 * announced on station_events (zone.created, zone.updated, zone.deleted; device.updated
 * for each device a deleted zone let go) inside the transaction that makes it, so a
 * listener hears of exactly what was committed. Handlers read top to bottom: rules from
 * service.c, SQL from repo.c, one reply.
 */
#include <libpq-fe.h>

#include "config.h"
#include "runtime.h"
#include "repo.h"
#include "service.h"

static const struct field zone_body[] = {
	{ "name", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(100), .check = schema_not_blank },
	{ 0 },
};

static const struct field zone_id_item = { "id", FIELD_UUID };
static const struct field zone_order_body[] = {
	{ "ids", FIELD_ARRAY, .required = true, .max = BOUND(1000), .items = &zone_id_item,
	  .check = zone_ids_unique_check, .description = "every zone's id, once each, in the new order" },
	{ 0 },
};

/* GET /api/zones/:id: the members of zone_columns, then the zone's devices. */
static const struct field zone_detail_reply[] = {
	{ "id", FIELD_UUID },
	{ "name", FIELD_STRING },
	{ "position", FIELD_INT },
	{ "deviceCount", FIELD_INT },
	{ "createdAt", FIELD_TIME },
	{ "updatedAt", FIELD_TIME },
	{ "devices", FIELD_ARRAY, .items = &(const struct field){ "device", FIELD_OBJECT, .columns = device_columns } },
	{ 0 },
};

/* GET /api/zones — a plain array in the household's order, each with its deviceCount. */
static int zone_list(struct request *req)
{
	return reply_rows(req, db_run(req, zones_list), zone_columns);
}

/* GET /api/zones/:id — the zone and its devices, read in one snapshot. */
static int zone_get(struct request *req)
{
	const char *id = req_param(req, "id");
	PGresult *zone = db_row(req, "zone not found", zones_by_id, id), *devices;
	if (!zone)
		return req->status;
	devices = db_run(req, zones_devices, id, db_param_long(req, cfg_int("devices.list_limit")));
	if (!devices)
		return req->status;
	struct jw *w = reply_json(req);
	jw_object_begin(w);
	db_write_members(w, zone, 0, zone_columns);
	jw_key(w, "devices");
	db_write_rows(w, devices, device_columns);
	jw_object_end(w);
	return reply_ok(req);
}

/* POST /api/zones {name} — 201, last in the order; 409 when the name is taken (any case). */
static int zone_create(struct request *req)
{
	PGresult *zone = db_run(req, zones_insert, body_string(req, "name"));
	if (!zone || announce_row_or_reply(req, "zone.created", zone, zone_columns, -1))
		return req->status;
	return reply_row(req, zone, zone_columns);
}

/* PATCH /api/zones/:id {name} */
static int zone_patch(struct request *req)
{
	PGresult *zone = db_row(req, "zone not found", zones_rename, req_param(req, "id"), body_string(req, "name"));
	if (!zone || announce_row_or_reply(req, "zone.updated", zone, zone_columns, -1))
		return req->status;
	return reply_row(req, zone, zone_columns);
}

/* DELETE /api/zones/:id — 204; its devices stay, without a zone, each announced. */
static int zone_delete(struct request *req)
{
	const char *id = req_param(req, "id");
	PGresult *devices, *zone;
	if (!db_run(req, zones_lock_devices) || !(devices = db_run(req, zones_clear_devices, id)) ||
	    !(zone = db_row(req, "zone not found", zones_delete, id)))
		return req->status;
	if (announce_rows_or_reply(req, "device.updated", devices, device_columns, DEVICE_COL_STATE) ||
	    announce_row_or_reply(req, "zone.deleted", zone, zone_deleted_columns, -1))
		return req->status;
	return reply_empty(req);
}

/* PUT /api/zones/order {ids} — every zone once, in the new order → the zones in it. */
static int zone_order(struct request *req)
{
	const char *ids;
	PGresult *moved;
	if (zone_order_or_reply(req, &ids) || !(moved = db_run(req, zones_reorder, ids)) ||
	    announce_rows_or_reply(req, "zone.updated", moved, zone_columns, -1))
		return req->status;
	return reply_rows(req, db_run(req, zones_list), zone_columns);
}

static const struct route routes[] = {
	{ "GET", "/api/zones", zone_list, WHO_MEMBER, .reply = REPLY_ROWS(zone_columns),
	  .summary = "Zones in the household's order, each with its deviceCount" },
	{ "POST", "/api/zones", zone_create, WHO_ADMIN, .body = zone_body, .tx = TX_WRITE, .status = 201,
	  .reply = REPLY_ROW(zone_columns), .errors = ERR_409, .summary = "Add a zone, last in the order" },
	{ "PUT", "/api/zones/order", zone_order, WHO_ADMIN, .body = zone_order_body, .tx = TX_WRITE,
	  .reply = REPLY_ROWS(zone_columns), .summary = "Reorder the zones: every id once, in the new order" },
	{ "GET", "/api/zones/:id", zone_get, WHO_MEMBER, .tx = TX_READ, .reply = REPLY_OBJECT(zone_detail_reply),
	  .summary = "One zone with its devices" },
	{ "PATCH", "/api/zones/:id", zone_patch, WHO_ADMIN, .body = zone_body, .tx = TX_WRITE,
	  .reply = REPLY_ROW(zone_columns), .errors = ERR_409, .summary = "Rename a zone" },
	{ "DELETE", "/api/zones/:id", zone_delete, WHO_ADMIN, .tx = TX_WRITE, .reply = REPLY_NONE,
	  .summary = "Delete a zone; its devices stay, without a zone" },
	{ 0 },
};

WORKER_MAIN("zones", routes, NULL);
