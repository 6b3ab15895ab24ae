/*
 * routes.c — api-device-types: the device type registry (SPEC §4 device-types).
 *
 * Members read the registry; an admin or the station-agent upserts a type with PUT.
 * Built-in types (sql/registry/device_types.sql) are read-only here: 409. Shapes are
 * declared below and checked by the runtime; service.c checks the rest; repo.c holds
 * the SQL. Handlers never decide who may call them: the table does.
 */
#include <libpq-fe.h>

#include "runtime.h"
#include "repo.h"
#include "service.h"

static const char *const capability_types[] = { "number", "boolean", NULL };
static const char *const categories[] = { "sensor", "actuator", NULL };

static const struct field capability_fields[] = {
	{ "key", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(64), .check = type_name_check },
	{ "type", FIELD_ENUM, .required = true, .values = capability_types },
	{ "unit", FIELD_STRING, .nullable = true, .min = BOUND(1), .max = BOUND(16) },
	{ "min", FIELD_NUMBER, .nullable = true },
	{ "max", FIELD_NUMBER, .nullable = true },
	{ 0 },
};
static const struct field capability_item = { "capability", FIELD_OBJECT, .fields = capability_fields,
					      .check = capability_range_check };

static const struct field param_item = { "param", FIELD_STRING, .min = BOUND(1), .max = BOUND(64),
					 .check = command_param_check };
static const struct field command_fields[] = {
	{ "action", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(64), .check = command_action_check },
	{ "params", FIELD_ARRAY, .nullable = true, .max = BOUND(16), .items = &param_item, .check = schema_unique_items_check },
	{ 0 },
};
static const struct field command_item = { "command", FIELD_OBJECT, .fields = command_fields };

static const struct field event_item = { "event", FIELD_STRING, .min = BOUND(1), .max = BOUND(64),
					 .check = type_name_check };

/* PUT /api/device-types/:id — a whole type; missing lists mean empty, periodic false. */
static const struct field device_type_body[] = {
	{ "name", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(100) },
	{ "category", FIELD_ENUM, .required = true, .values = categories },
	{ "capabilities", FIELD_ARRAY, .max = BOUND(64), .items = &capability_item, .check = schema_unique_keys_check },
	{ "commands", FIELD_ARRAY, .max = BOUND(64), .items = &command_item, .check = schema_unique_actions_check },
	{ "events", FIELD_ARRAY, .max = BOUND(64), .items = &event_item, .check = schema_unique_items_check },
	{ .name = "periodic", .type = FIELD_BOOL },
	{ 0 },
};

/* GET /api/device-types — every type, ordered by id. */
static int device_types_list_handler(struct request *req)
{
	return reply_rows(req, db_run(req, device_types_list), device_type_columns);
}

/* GET /api/device-types/:id */
static int device_type_get_handler(struct request *req)
{
	PGresult *res = db_run(req, device_types_by_id, req_param(req, "id"));
	return reply_row_or_404(req, res, device_type_columns, "device type not found");
}

/* PUT /api/device-types/:id — 201 when created, 200 when replaced, 409 for a built-in. */
static int device_type_put_handler(struct request *req)
{
	const char *id = req_param(req, "id");
	if (!device_type_id_is_valid(id))
		return reply_error(req, 400, "id: must be 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit");
	struct device_type_row row;
	device_type_from_body(req->arena, id, req->body, &row);
	PGresult *res = db_run(req, device_types_upsert, row.id, row.name, row.category, row.capabilities_json,
			       row.commands_json, row.events_json, db_param_bool(row.periodic));
	if (!res)
		return req->status;
	if (PQntuples(res) == 0)
		return reply_error(req, 409, "built-in device types cannot be changed");
	bool inserted = db_bool(res, 0, PQnfields(res) - 1);
	db_write_row(reply_json_status(req, inserted ? 201 : 200), res, 0, device_type_columns);
	return reply_ok(req);
}

static const struct route routes[] = {
	{ "GET", "/api/device-types", device_types_list_handler, WHO_MEMBER, .reply = REPLY_ROWS(device_type_columns),
	  .summary = "The device type registry" },
	{ "GET", "/api/device-types/:id", device_type_get_handler, WHO_MEMBER, .text_params = true,
	  .reply = REPLY_ROW(device_type_columns), .summary = "One device type" },
	{ "PUT", "/api/device-types/:id", device_type_put_handler, WHO_ADMIN | CALLER_AGENT, .body = device_type_body,
	  .text_params = true, .status = 200, .status_alt = 201, .reply = REPLY_ROW(device_type_columns),
	  .errors = ERR_409, .summary = "Create (201) or replace (200) a type that is not built in" },
	{ 0 },
};

WORKER_MAIN("device-types", routes, NULL);
