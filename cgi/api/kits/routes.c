/*
 * routes.c — api-kits: kits (devices filling a preset's roles, with the automations made
 * for them) and kit presets (SPEC §4 kits, docs/automations.md "Kits").
 *
 * A kit is made only by kit_apply() (016_automations_rest.sql): here for POST /api/kits,
 * after every role was checked to be filled by a device of its type; in station-mqttd for
 * auto-apply. Its automations are published at once and go with it (DELETE). Presets are
 * roles [{key,type}] and automation templates whose "$<roleKey>" strings become the
 * devices' ids; their templates are checked as automations are when published. Built-in
 * presets cannot be changed or deleted (409).
 */
#include <libpq-fe.h>

#include "api/shared/flow_devices.h"
#include "flow.h"
#include "json_reader.h"
#include "repo.h"
#include "runtime.h"
#include "service.h"

static const struct field any_members[] = { { 0 } };

static const struct field kit_body[] = {
	{ "presetId", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(64) },
	{ "devices", FIELD_OBJECT, .required = true, .fields = any_members,
	  .description = "{roleKey: deviceId} for every role of the preset" },
	{ 0 },
};

static const struct field role_fields[] = {
	{ "key", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(32), .check = role_key_check },
	{ "type", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(64) },
	{ 0 },
};
static const struct field role_item = { "role", FIELD_OBJECT, .fields = role_fields };
static const struct field template_fields[] = {
	{ "name", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(100), .check = schema_not_blank },
	FLOW_GRAPH_FIELDS,
	{ 0 },
};
static const struct field template_item = { "template", FIELD_OBJECT, .fields = template_fields,
					    .check = flow_size_check };

#define PRESET_FIELDS                                                                                     \
	{ "name", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(100), .check = schema_not_blank }, \
	{ "roles", FIELD_ARRAY, .required = true, .min = BOUND(1), .max = BOUND(PRESET_MAX_ROLES),            \
	  .items = &role_item, .check = schema_unique_keys_check },                                          \
	{ "automationTemplates", FIELD_ARRAY, .required = true, .max = BOUND(PRESET_MAX_TEMPLATES),           \
	  .items = &template_item },                                                                          \
	{ "autoApply", FIELD_BOOL }

static const struct field preset_create_body[] = {
	{ "id", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(64), .check = preset_id_check },
	PRESET_FIELDS,
	{ 0 },
};
static const struct field preset_replace_body[] = { PRESET_FIELDS, { 0 } };

/* GET /api/kits — every kit, newest first. */
static int kit_list(struct request *req)
{
	return reply_rows(req, db_run(req, kits_list), kit_columns);
}

/* POST /api/kits {presetId, devices:{roleKey: deviceId}} — 201, the kit; its automations
 * exist and are published. 409 when the preset has a kit of these devices. */
static int kit_create(struct request *req)
{
	const char *devices;
	/* Locked as PUT locks it: the roles checked are those the templates are applied with. */
	PGresult *preset = db_run(req, presets_lock, body_string(req, "presetId")), *made;
	if (!preset)
		return req->status;
	if (PQntuples(preset) == 0)
		return reply_error(req, 400, "presetId: no preset %s", body_string(req, "presetId"));
	if (kit_devices_or_reply(req, preset, &devices) ||
	    !(made = db_run(req, kits_apply, db_value(preset, 0, PRESET_COL_ID), devices)))
		return req->status;
	if (PQgetisnull(made, 0, 0))
		return reply_error(req, 409, "devices: preset %s has a kit of these devices already",
				   db_value(preset, 0, PRESET_COL_ID));
	return reply_row(req, db_run(req, kits_by_id, db_value(made, 0, 0)), kit_columns);
}

/* DELETE /api/kits/:id — 204; its automations go with it. */
static int kit_delete(struct request *req)
{
	if (!db_row(req, "kit not found", kits_delete, req_param(req, "id")))
		return req->status;
	return reply_empty(req);
}

/* GET /api/kits/presets — every preset, by id. */
static int preset_list(struct request *req)
{
	return reply_rows(req, db_run(req, presets_list), preset_columns);
}

static const char *body_json(struct request *req, const char *key)
{
	struct json_object *v = NULL;
	json_object_object_get_ex(req->body, key, &v);
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

/* autoApply, false when absent. */
static bool body_auto_apply(struct request *req)
{
	bool on = false;
	json_get_bool(req->body, "autoApply", &on);
	return on;
}

/* POST /api/kits/presets {id,name,roles,automationTemplates,autoApply?} — 201. */
static int preset_create(struct request *req)
{
	if (preset_valid_or_reply(req))
		return req->status;
	return reply_row(req,
			 db_run(req, presets_insert, body_string(req, "id"), body_string(req, "name"),
				body_json(req, "roles"), body_json(req, "automationTemplates"),
				db_param_bool(body_auto_apply(req))),
			 preset_columns);
}

/* PUT /api/kits/presets/:id {name,roles,automationTemplates,autoApply?} — replaces a
 * preset of the household's (409 for a built-in one). Kits made from it keep their
 * automations as they were made. */
static int preset_replace(struct request *req)
{
	const char *id = req_param(req, "id");
	PGresult *preset = db_row(req, "preset not found", presets_lock, id);
	if (!preset || preset_editable_or_reply(req, preset) || preset_valid_or_reply(req))
		return req->status;
	return reply_row(req,
			 db_run(req, presets_update, id, body_string(req, "name"), body_json(req, "roles"),
				body_json(req, "automationTemplates"), db_param_bool(body_auto_apply(req))),
			 preset_columns);
}

/* DELETE /api/kits/presets/:id — 204; 409 for a built-in preset or one a kit uses. */
static int preset_delete(struct request *req)
{
	const char *id = req_param(req, "id");
	PGresult *preset = db_row(req, "preset not found", presets_lock, id), *gone;
	if (!preset || preset_editable_or_reply(req, preset) || !(gone = db_run(req, presets_delete, id)))
		return req->status;
	if (PQntuples(gone) == 0)
		return reply_error(req, 409, "preset %s is used by kits: delete them first", id);
	return reply_empty(req);
}

static const struct route routes[] = {
	{ "GET", "/api/kits", kit_list, WHO_MEMBER, .reply = REPLY_ROWS(kit_columns), .summary = "Kits, newest first" },
	{ "POST", "/api/kits", kit_create, WHO_ADMIN, .body = kit_body, .tx = TX_WRITE, .status = 201,
	  .reply = REPLY_ROW(kit_columns), .errors = ERR_400 | ERR_409,
	  .summary = "Make a kit of a preset: its automations, published" },
	{ "DELETE", "/api/kits/:id", kit_delete, WHO_ADMIN, .tx = TX_WRITE, .reply = REPLY_NONE,
	  .summary = "Delete a kit and its automations" },
	{ "GET", "/api/kits/presets", preset_list, WHO_MEMBER, .reply = REPLY_ROWS(preset_columns),
	  .summary = "Kit presets, by id" },
	{ "POST", "/api/kits/presets", preset_create, WHO_ADMIN, .body = preset_create_body, .tx = TX_WRITE,
	  .status = 201, .reply = REPLY_ROW(preset_columns), .errors = ERR_400 | ERR_409, .summary = "Add a kit preset" },
	{ "PUT", "/api/kits/presets/:id", preset_replace, WHO_ADMIN, .body = preset_replace_body, .text_params = true,
	  .tx = TX_WRITE, .reply = REPLY_ROW(preset_columns), .errors = ERR_400 | ERR_404 | ERR_409,
	  .summary = "Replace a kit preset (not a built-in one)" },
	{ "DELETE", "/api/kits/presets/:id", preset_delete, WHO_ADMIN, .text_params = true, .tx = TX_WRITE,
	  .reply = REPLY_NONE, .errors = ERR_404 | ERR_409,
	  .summary = "Delete a kit preset (not a built-in one, nor one a kit uses)" },
	{ 0 },
};

WORKER_MAIN("kits", routes, NULL);
