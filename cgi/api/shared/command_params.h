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

/* The declared (required) field of parameter name; capabilities is the type's array. */
struct field command_param_field(const char *name, struct json_object *capabilities);

#endif
