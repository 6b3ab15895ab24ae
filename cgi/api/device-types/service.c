/*
 * service.c — rules of the device type registry (api-device-types).
 *
 * What a schema's kinds cannot say about a type lives here as check functions that the
 * route's schema names (names usable as MQTT payload keys, duplicates, min <= max,
 * reserved command names), so the runtime refuses a bad body before the handler runs.
 * What is left for the handler is the canonical JSON of capabilities, commands and
 * events, so that unknown members of the request never reach the registry. No SQL here.
 */
#include "service.h"

#include <stdbool.h>
#include <string.h>

#include "json_reader.h"
#include "json_writer.h"

/* Commands every device understands (SPEC §5); a type may not redeclare them. */
static const char *const builtin_commands[] = { "reboot", "factory_reset", "ota_update", "wifi_update", NULL };

bool device_type_id_is_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '_' && c != '-')))
			return false;
	}
	return true;
}

const char *type_name_check(const struct field_check_input *in, int *status)
{
	(void)status;
	const char *s = json_object_get_string(in->value);
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return arena_printf(in->arena, "%s: must contain only letters, digits, _ and -", in->path);
	}
	return NULL;
}

const char *command_action_check(const struct field_check_input *in, int *status)
{
	const char *action = json_object_get_string(in->value);
	for (int k = 0; builtin_commands[k]; k++)
		if (strcmp(action, builtin_commands[k]) == 0)
			return arena_printf(in->arena, "%s: %s is a built-in command", in->path, action);
	return type_name_check(in, status);
}

const char *command_param_check(const struct field_check_input *in, int *status)
{
	if (strcmp(json_object_get_string(in->value), "action") == 0)
		return arena_printf(in->arena, "%s: action is reserved", in->path);
	return type_name_check(in, status);
}

const char *capability_range_check(const struct field_check_input *in, int *status)
{
	(void)status;
	struct json_object *min = NULL, *max = NULL;
	json_object_object_get_ex(in->value, "min", &min);
	json_object_object_get_ex(in->value, "max", &max);
	if (strcmp(json_get_string(in->value, "type"), "number") != 0 && (min || max))
		return arena_printf(in->arena, "%s.%s: only number capabilities have a range", in->path,
				    min ? "min" : "max");
	if (min && max && json_object_get_double(min) > json_object_get_double(max))
		return arena_printf(in->arena, "%s.max: must not be less than min", in->path);
	return NULL;
}

/* A JSON array of the strings in array. */
static void write_strings(struct jw *w, struct json_object *array)
{
	jw_array_begin(w);
	size_t n = json_object_array_length(array);
	for (size_t i = 0; i < n; i++)
		jw_string(w, json_object_get_string(json_object_array_get_idx(array, i)));
	jw_array_end(w);
}

/* The members of a capability that the registry keeps, in a fixed order. */
static void write_capability(struct jw *w, struct arena *a, struct json_object *cap)
{
	struct json_object *min = NULL, *max = NULL;
	const char *unit = json_get_string(cap, "unit");
	jw_object_begin(w);
	jw_member_string(w, "key", json_get_string(cap, "key"));
	jw_member_string(w, "type", json_get_string(cap, "type"));
	if (unit)
		jw_member_string(w, "unit", unit);
	if (json_object_object_get_ex(cap, "min", &min) && min)
		jw_member_raw(w, "min", json_text(a, min));
	if (json_object_object_get_ex(cap, "max", &max) && max)
		jw_member_raw(w, "max", json_text(a, max));
	jw_object_end(w);
}


static void write_command(struct jw *w, struct arena *a, struct json_object *cmd)
{
	(void)a;
	struct json_object *params = json_get_array(cmd, "params");
	jw_object_begin(w);
	jw_member_string(w, "action", json_get_string(cmd, "action"));
	if (params && json_object_array_length(params) > 0) {
		jw_key(w, "params");
		write_strings(w, params);
	}
	jw_object_end(w);
}

static void write_event(struct jw *w, struct arena *a, struct json_object *event)
{
	(void)a;
	jw_string(w, json_object_get_string(event));
}

/* The canonical JSON array of a body list (absent: empty), one item at a time. */
static const char *list_json(struct arena *a, struct json_object *list,
			     void (*write_item)(struct jw *, struct arena *, struct json_object *))
{
	struct jw_text text;
	struct jw *w = jw_text_begin(&text, a);
	jw_array_begin(w);
	size_t n = list ? json_object_array_length(list) : 0;
	for (size_t i = 0; i < n; i++)
		write_item(w, a, json_object_array_get_idx(list, i));
	jw_array_end(w);
	return text.b.data;
}

void device_type_from_body(struct arena *arena, const char *id, struct json_object *body, struct device_type_row *row)
{
	bool periodic = false;
	json_get_bool(body, "periodic", &periodic);
	*row = (struct device_type_row){
		.id = id,
		.name = json_get_string(body, "name"),
		.category = json_get_string(body, "category"),
		.capabilities_json = list_json(arena, json_get_array(body, "capabilities"), write_capability),
		.commands_json = list_json(arena, json_get_array(body, "commands"), write_command),
		.events_json = list_json(arena, json_get_array(body, "events"), write_event),
		.periodic = periodic,
	};
}
