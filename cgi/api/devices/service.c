/*
 * service.c — rules of the devices module (api-devices).
 *
 * What the kinds of a schema cannot say about device input lives here, as check
 * functions the route tables name (the external id alphabet, which is libstation's
 * external_id.h, and who may send factory_reset), and what needs the database: whether
 * a command fits the device's type (the type's declared commands and params, SPEC §4;
 * the params format is in docs/devices.md). Also the host a new device is told to dial.
 * Push messages (SPEC §6) and credential notices are built here with the JSON writer,
 * never in SQL, and sent through repo.c inside the caller's transaction.
 * No SQL text here; no token ever reaches a log or a message.
 */
#include "service.h"

#include <string.h>

#include "external_id.h"
#include "json_reader.h"
#include "json_writer.h"
#include "log.h"
#include "notify.h"
#include "repo.h"
#include "timeutil.h"

/* Largest command params object (bytes of JSON) forwarded to a device. */
#define COMMAND_PARAMS_MAX 4096

const char *device_mqtt_host(struct arena *arena, const char *configured, const char *request_host)
{
	if (configured && *configured)
		return configured;
	if (!request_host || !*request_host)
		return NULL;
	if (request_host[0] == '[') { /* "[fd00::1]:8080" */
		const char *end = strchr(request_host, ']');
		return end && end > request_host + 1 ? arena_strndup(arena, request_host + 1, (size_t)(end - request_host - 1))
						     : NULL;
	}
	const char *colon = strchr(request_host, ':');
	if (colon && !strchr(colon + 1, ':')) /* "station.local:8080"; several colons: a bare IPv6 address */
		return colon > request_host ? arena_strndup(arena, request_host, (size_t)(colon - request_host)) : NULL;
	return request_host;
}

/* Parses a jsonb column's text (always valid JSON); NULL if it somehow is not. */
static struct json_object *parse_column(struct arena *arena, const char *text)
{
	const char *error = NULL;
	struct json_object *v = text ? json_parse(arena, text, strlen(text), 32, &error) : NULL;
	if (text && !v)
		log_error("device type holds invalid JSON (%s)", error);
	return v;
}

/* The element of array whose string member `key` equals value, or NULL. */
static struct json_object *find_by(struct json_object *array, const char *key, const char *value)
{
	if (!array || !json_object_is_type(array, json_type_array))
		return NULL;
	size_t n = json_object_array_length(array);
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(array, i);
		const char *s = json_get_string(item, key);
		if (s && strcmp(s, value) == 0)
			return item;
	}
	return NULL;
}

/* Checks one declared parameter of the body; 0 or the status replied. */
static int check_param(struct request *req, const char *name, struct json_object *capabilities)
{
	struct json_object *value = NULL;
	if (!json_object_object_get_ex(req->body, name, &value))
		return reply_error(req, 400, "%s: is required", name);
	struct json_object *cap = find_by(capabilities, "key", name);
	const char *type = cap ? json_get_string(cap, "type") : NULL;
	if (!type)
		return value ? 0 : reply_error(req, 400, "%s: must not be null", name);
	if (strcmp(type, "boolean") == 0)
		return json_object_is_type(value, json_type_boolean) ? 0 : reply_error(req, 400, "%s: must be a boolean", name);

	/* A number capability, with its declared range. */
	struct json_object *min = NULL, *max = NULL;
	double lo = 0, hi = 0;
	bool has_min = json_get_number(cap, "min", &lo), has_max = json_get_number(cap, "max", &hi);
	if (has_min)
		json_object_object_get_ex(cap, "min", &min);
	if (has_max)
		json_object_object_get_ex(cap, "max", &max);
	bool is_number = value && (json_object_is_type(value, json_type_int) || json_object_is_type(value, json_type_double));
	double v = is_number ? json_object_get_double(value) : 0;
	if (is_number && (!has_min || v >= lo) && (!has_max || v <= hi))
		return 0;
	if (has_min && has_max)
		return reply_error(req, 400, "%s: must be a number between %s and %s", name, json_text(req->arena, min),
				   json_text(req->arena, max));
	if (has_min)
		return reply_error(req, 400, "%s: must be a number of at least %s", name, json_text(req->arena, min));
	if (has_max)
		return reply_error(req, 400, "%s: must be a number of at most %s", name, json_text(req->arena, max));
	return reply_error(req, 400, "%s: must be a number", name);
}

/* The body without its "action" member, as JSON text. */
static const char *params_without_action(struct request *req)
{
	struct buf b;
	struct jw w;
	buf_init(&b, req->arena);
	jw_init(&w, &b);
	jw_object_begin(&w);
	json_object_object_foreach(req->body, member, member_value) {
		if (strcmp(member, "action") == 0)
			continue;
		jw_key(&w, member);
		jw_raw(&w, member_value ? json_text(req->arena, member_value) : "null");
	}
	jw_object_end(&w);
	return b.data;
}

const char *device_external_id_check(const struct field_check_input *in, int *status)
{
	(void)status;
	const char *id = json_object_get_string(in->value);
	return device_external_id_valid(id, strlen(id))
		       ? NULL
		       : arena_printf(in->arena, "%s: must contain only letters, digits, _ . : and -", in->path);
}

const char *device_action_check(const struct field_check_input *in, int *status)
{
	const struct request *req = in->ctx;
	if (strcmp(json_object_get_string(in->value), "factory_reset") != 0 || (req->caller.kind & WHO_ADMIN))
		return NULL;
	*status = 403;
	return "factory_reset: requires admin";
}

int device_command_or_reply(struct request *req, const PGresult *target, const char **params_json)
{
	const char *action = body_string(req, "action");
	const char *type = db_value(target, 0, TARGET_COL_TYPE);
	struct json_object *declared = NULL;
	if (strcmp(action, "factory_reset") != 0 && strcmp(action, "reboot") != 0) {
		declared = find_by(parse_column(req->arena, db_value(target, 0, TARGET_COL_COMMANDS)), "action", action);
		if (!declared)
			return reply_error(req, 400, "action: not supported by %s", type);
	}
	struct json_object *params = declared ? json_get_array(declared, "params") : NULL;
	size_t n = params ? json_object_array_length(params) : 0;
	struct json_object *capabilities = n ? parse_column(req->arena, db_value(target, 0, TARGET_COL_CAPABILITIES)) : NULL;
	for (size_t i = 0; i < n; i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(params, i));
		int status = name ? check_param(req, name, capabilities) : 0;
		if (status)
			return status;
	}
	*params_json = params_without_action(req);
	if (strlen(*params_json) > COMMAND_PARAMS_MAX)
		return reply_error(req, 400, "body: command parameters must be at most %d bytes", COMMAND_PARAMS_MAX);
	return 0;
}

int device_announce_row(struct request *req, const char *type, const PGresult *res, int row)
{
	struct station_event ev;
	db_write_members(station_event_begin(&ev, req->arena, type), res, row, device_columns);
	const char *payload = station_event_end(&ev, req->arena, time_now_ms(), false);
	if (!payload) {
		/* A huge state would not fit a NOTIFY: announce the device without it. */
		db_write_members_except(station_event_begin(&ev, req->arena, type), res, row, device_columns,
					DEVICE_COL_STATE);
		payload = station_event_end(&ev, req->arena, time_now_ms(), true);
	}
	return notify_or_reply(req, "station_events", payload);
}

int device_announce_deleted(struct request *req, const char *device_id, const char *device_name)
{
	struct station_event ev;
	struct jw *w = station_event_begin(&ev, req->arena, "device.deleted");
	jw_member_string(w, "deviceId", device_id);
	jw_member_string(w, "deviceName", device_name);
	const char *payload = station_event_end(&ev, req->arena, time_now_ms(), false);
	return notify_or_reply(req, "station_events", payload);
}

int device_announce_credentials(struct request *req, const char *external_id, const char *action)
{
	struct buf b;
	struct jw w;
	buf_init(&b, req->arena);
	jw_init(&w, &b);
	jw_object_begin(&w);
	jw_member_string(&w, "externalId", external_id);
	jw_member_string(&w, "action", action);
	jw_object_end(&w);
	return notify_or_reply(req, "device_credentials", b.data);
}
