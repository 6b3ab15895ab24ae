/*
 * service.h — rules of the device type registry (api-device-types) beyond the kinds of
 * the body schema: check functions the route table names, and the canonical row.
 */
#ifndef STATION_API_DEVICE_TYPES_SERVICE_H
#define STATION_API_DEVICE_TYPES_SERVICE_H

#include <json-c/json.h>

#include "arena.h"
#include "repo.h"
#include "schema.h"

/* True when id matches ^[a-z0-9][a-z0-9_-]{0,63}$ (the device_types.id check). */
bool device_type_id_is_valid(const char *id);

/* Checks (schema.h): capability keys, event and param names are letters, digits, _ and -;
 * actions also are not built-in commands; a param is not called "action". */
const char *type_name_check(const struct field_check_input *in, int *status);
const char *command_action_check(const struct field_check_input *in, int *status);
const char *command_param_check(const struct field_check_input *in, int *status);
/* Only number capabilities have min/max, and min <= max. */
const char *capability_range_check(const struct field_check_input *in, int *status);

/* Fills row from a PUT body the schema has accepted, with the canonical JSON of its
 * capabilities, commands and events. */
void device_type_from_body(struct arena *arena, const char *id, struct json_object *body, struct device_type_row *row);

#endif
