/*
 * service.c — rules of the devices module (api-devices) that a route table cannot hold:
 * who may send factory_reset (a check the table names), whether a command fits the
 * device's type (its declared commands, and params checked by the schema validator with
 * fields made from the type's capabilities; only those params are forwarded; SPEC §4,
 * docs/devices.md), and the credential
 * notice the MQTT side acts on. No SQL here; no token ever reaches a log or a message.
 */
#include "service.h"

#include <string.h>

#include "json_reader.h"
#include "api/shared/command_params.h"
#include "repo.h"

/* Largest command params object (bytes of JSON) forwarded to a device. */
#define COMMAND_PARAMS_MAX 4096

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
		declared = json_array_find(db_value_json(req, target, 0, TARGET_COL_COMMANDS), "action", action);
		if (!declared)
			return reply_error(req, 400, "action: not supported by %s", type);
	}
	size_t n;
	const struct field *fields = command_params_fields(req->arena, declared, db_value_json(req, target, 0, TARGET_COL_CAPABILITIES), &n);
	int status;
	const char *problem = schema_validate_object(req->arena, req->body, fields, req, &status);
	if (problem)
		return reply_error(req, status, "%s", problem);
	/* Only the declared params reach the device, whatever else the body holds. */
	struct jw_text text;
	struct jw *w = jw_text_begin(&text, req->arena);
	jw_object_begin(w);
	for (size_t i = 0; i < n; i++) {
		struct json_object *value = NULL;
		json_object_object_get_ex(req->body, fields[i].name, &value);
		jw_member_raw(w, fields[i].name, json_text(req->arena, value));
	}
	jw_object_end(w);
	*params_json = text.b.data;
	if (strlen(*params_json) > COMMAND_PARAMS_MAX)
		return reply_error(req, 400, "body: command parameters must be at most %d bytes", COMMAND_PARAMS_MAX);
	return 0;
}

int device_announce_credentials(struct request *req, const char *external_id, const char *action)
{
	struct jw_text text;
	jw_object_of_strings(jw_text_begin(&text, req->arena), "externalId", external_id, "action", action, NULL);
	return notify_or_reply(req, "device_credentials", text.b.data);
}
