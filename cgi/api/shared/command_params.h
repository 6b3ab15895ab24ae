/*
 * command_params.h — what a device command's parameter may be, from its device type's
 * registry entry (SPEC §4 device-types; docs/devices.md): a parameter named like one of
 * the type's capabilities takes that capability's kind and range, any other takes any
 * value but null. Used where commands are checked: POST /api/devices/:id/command, and an
 * automation's device_command nodes when it is published or a kit preset is saved.
 */
#ifndef STATION_API_SHARED_COMMAND_PARAMS_H
#define STATION_API_SHARED_COMMAND_PARAMS_H

#include <json-c/json.h>

#include "schema.h"

#include "arena.h"

/* The declared (required) fields of a command's params, in the arena: declared is the
 * command's entry in its type's commands (NULL: a built-in command, no params),
 * capabilities the type's array; *n their count. */
const struct field *command_params_fields(struct arena *arena, struct json_object *declared,
					  struct json_object *capabilities, size_t *n);

#endif
