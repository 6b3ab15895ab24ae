/*
 * service.c — rules of the kits module (api-kits): see service.h. Templates are checked
 * as automations are when they are published (lib/flow, ../shared/flow_devices), with
 * each "$<roleKey>" standing for a device of the role's type. No SQL here (repo.c).
 */
#include "service.h"

#include <string.h>
#include <strings.h>

#include "api/shared/flow_devices.h"
#include "flow.h"
#include "json_reader.h"
#include "repo.h"
#include "uuid.h"

static bool name_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

const char *preset_id_check(const struct field_check_input *in, int *status)
{
	(void)status;
	const char *id = json_object_get_string(in->value);
	if (strlen(id) > 64 || !name_chars(id, "_-") || id[0] == '_' || id[0] == '-')
		return arena_printf(in->arena, "%s: must be lower-case letters, digits, '_' and '-' (at most 64), "
				    "starting with a letter or digit", in->path);
	return NULL;
}

const char *role_key_check(const struct field_check_input *in, int *status)
{
	(void)status;
	if (!name_chars(json_object_get_string(in->value), "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-"))
		return arena_printf(in->arena, "%s: must be letters, digits, '_' and '-'", in->path);
	return NULL;
}

int preset_valid_or_reply(struct request *req)
{
	struct json_object *roles = json_get_array(req->body, "roles");
	struct json_object *templates = json_get_array(req->body, "automationTemplates");
	PGresult *types = db_run(req, presets_role_types, json_text(req->arena, roles));
	if (!types)
		return req->status;
	size_t count;
	struct flow_target *targets = flow_targets_read(req, types, &count);

	struct flow_problems problems;
	flow_problems_init(&problems, req->arena);
	size_t role_count = json_object_array_length(roles);
	const char **keys = arena_alloc(req->arena, (role_count + 1) * sizeof *keys);
	for (size_t i = 0; i < role_count; i++) {
		struct json_object *role = json_object_array_get_idx(roles, i);
		keys[i] = json_get_string(role, "key");
		const char *ref = arena_printf(req->arena, "$%s", keys[i]);
		bool known = false;
		for (size_t k = 0; k < count && !known; k++)
			known = strcmp(targets[k].ref, ref) == 0;
		if (!known)
			flow_problem(&problems, "roles[%zu].type: no device type %s", i, json_get_string(role, "type"));
	}
	size_t template_count = templates ? json_object_array_length(templates) : 0;
	for (size_t t = 0; t < template_count; t++) {
		struct flow_options opts = { .path = arena_printf(req->arena, "automationTemplates[%zu]", t),
					     .placeholders = true, .roles = keys, .role_count = role_count };
		struct flow graph;
		flow_read(req->arena, json_object_array_get_idx(templates, t), &opts, &graph, &problems);
		flow_check_targets(req->arena, &graph, &opts, targets, count, "no role", &problems);
	}
	return problems.count ? flow_problems_reply(req, &problems) : 0;
}

int preset_editable_or_reply(struct request *req, const PGresult *preset)
{
	if (db_bool(preset, 0, PRESET_COL_BUILT_IN))
		return reply_error(req, 409, "preset %s is built in", db_value(preset, 0, PRESET_COL_ID));
	return 0;
}

/* The device row of res whose id is id (any case), or -1. */
static int device_row(const PGresult *res, const char *id)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (strcasecmp(db_value(res, i, KIT_DEVICE_COL_ID), id) == 0)
			return i;
	return -1;
}

int kit_devices_or_reply(struct request *req, const PGresult *preset, const char **devices)
{
	struct json_object *roles = db_value_json(req, preset, 0, PRESET_COL_ROLES);
	struct json_object *given = json_get_object(req->body, "devices");
	const char *preset_id = db_value(preset, 0, PRESET_COL_ID);
	struct flow_problems problems;
	flow_problems_init(&problems, req->arena);

	struct buf ids;
	buf_init(&ids, req->arena);
	buf_putc(&ids, '{');
	json_object_object_foreach(given, given_key, value) {
		if (!json_array_find(roles, "key", given_key))
			flow_problem(&problems, "devices.%.64s: not a role of %s", given_key, preset_id);
		else if (!json_object_is_type(value, json_type_string) || !uuid_is_valid(json_object_get_string(value)))
			flow_problem(&problems, "devices.%.64s: must be a UUID", given_key);
		else
			buf_printf(&ids, "%s%s", ids.len > 1 ? "," : "", json_object_get_string(value));
	}
	buf_putc(&ids, '}');
	PGresult *found = db_run(req, kits_devices, ids.data);
	if (!found)
		return req->status;

	struct jw_text out;
	struct jw *w = jw_text_begin(&out, req->arena);
	jw_object_begin(w);
	size_t n = json_object_array_length(roles);
	const char **chosen = arena_alloc(req->arena, (n + 1) * sizeof *chosen);
	for (size_t i = 0; i < n; i++) {
		struct json_object *role = json_object_array_get_idx(roles, i);
		const char *key = json_get_string(role, "key"), *type = json_get_string(role, "type");
		const char *id = json_get_string(given, key);
		if (!json_has(given, key)) {
			flow_problem(&problems, "devices.%s: is required (a device of type %s)", key, type);
			continue;
		}
		if (!id || !uuid_is_valid(id))
			continue; /* said above */
		int row = device_row(found, id);
		if (row < 0) {
			flow_problem(&problems, "devices.%s: no device %s", key, id);
			continue;
		}
		chosen[i] = db_value(found, row, KIT_DEVICE_COL_ID);
		const char *has = db_value(found, row, KIT_DEVICE_COL_TYPE);
		if (strcmp(has, type) != 0)
			flow_problem(&problems, "devices.%s: must be a device of type %s, %s is a %s", key, type, id, has);
		for (size_t k = 0; k < i; k++)
			if (chosen[k] && strcmp(chosen[k], chosen[i]) == 0)
				flow_problem(&problems, "devices.%s: the same device as devices.%s", key,
					     json_get_string(json_object_array_get_idx(roles, k), "key"));
		jw_member_string(w, key, chosen[i]);
	}
	jw_object_end(w);
	if (problems.count)
		return flow_problems_reply(req, &problems);
	*devices = out.b.data;
	return 0;
}
