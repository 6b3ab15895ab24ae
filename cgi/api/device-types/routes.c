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
	{ "key", FIELD_STRING, .required = true, .min = 1, .max = 64 },
	{ "type", FIELD_ENUM, .required = true, .values = capability_types },
	{ "unit", FIELD_STRING, .nullable = true, .min = 1, .max = 16 },
	{ "min", FIELD_NUMBER, .nullable = true },
	{ "max", FIELD_NUMBER, .nullable = true },
	{ 0 },
};
static const struct field capability_item = { "capability", FIELD_OBJECT, .fields = capability_fields };

static const struct field param_item = { "param", FIELD_STRING, .min = 1, .max = 64 };
static const struct field command_fields[] = {
	{ "action", FIELD_STRING, .required = true, .min = 1, .max = 64 },
	{ "params", FIELD_ARRAY, .nullable = true, .max = 16, .items = &param_item },
	{ 0 },
};
static const struct field command_item = { "command", FIELD_OBJECT, .fields = command_fields };

static const struct field event_item = { "event", FIELD_STRING, .min = 1, .max = 64 };

/* PUT /api/device-types/:id — a whole type; missing lists mean empty, periodic false. */
static const struct field device_type_body[] = {
	{ "name", FIELD_STRING, .required = true, .min = 1, .max = 100 },
	{ "category", FIELD_ENUM, .required = true, .values = categories },
	{ "capabilities", FIELD_ARRAY, .max = 64, .items = &capability_item },
	{ "commands", FIELD_ARRAY, .max = 64, .items = &command_item },
	{ "events", FIELD_ARRAY, .max = 64, .items = &event_item },
	{ .name = "periodic", .type = FIELD_BOOL },
	{ 0 },
};

/* GET /api/device-types — every type, ordered by id. */
static int device_types_list_handler(struct request *req)
{
	PGresult *res;
	enum db_status st = device_types_list(req->db, req->arena, &res);
	if (st != DB_OK)
		return reply_db_error(req, st);
	db_write_rows(reply_json(req, 200), res, device_type_columns);
	return 200;
}

/* GET /api/device-types/:id */
static int device_type_get_handler(struct request *req)
{
	PGresult *res;
	enum db_status st = device_types_get(req->db, req->arena, req_param(req, "id"), &res);
	if (st != DB_OK)
		return reply_db_error(req, st);
	if (PQntuples(res) == 0)
		return reply_error(req, 404, "device type not found");
	db_write_row(reply_json(req, 200), res, 0, device_type_columns);
	return 200;
}

/* PUT /api/device-types/:id — 201 when created, 200 when replaced, 409 for a built-in. */
static int device_type_put_handler(struct request *req)
{
	struct device_type_row row;
	const char *err = device_type_from_body(req->arena, req_param(req, "id"), req->body, &row);
	if (err)
		return reply_error(req, 400, "%s", err);
	PGresult *res;
	enum db_status st = device_types_upsert(req->db, req->arena, &row, &res);
	if (st != DB_OK)
		return reply_db_error(req, st);
	if (PQntuples(res) == 0)
		return reply_error(req, 409, "built-in device types cannot be changed");
	int status = db_bool(res, 0, PQnfields(res) - 1) ? 201 : 200;
	db_write_row(reply_json(req, status), res, 0, device_type_columns);
	return status;
}

static const struct route routes[] = {
	{ "GET", "/api/device-types", device_types_list_handler, .who = WHO_MEMBER },
	{ "GET", "/api/device-types/:id", device_type_get_handler, WHO_MEMBER, .text_params = true },
	{ "PUT", "/api/device-types/:id", device_type_put_handler, WHO_ADMIN | CALLER_AGENT,
	  .body = device_type_body, .text_params = true },
	{ 0 },
};

int main(void)
{
	return worker_main("device-types", routes);
}
