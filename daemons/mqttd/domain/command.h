/*
 * command.h — the MQTT payload of a device command (SPEC §5): {"action":…, …params}.
 *
 * The outbox row holds the action and a params object (the request body minus its
 * action, docs/devices.md); the device expects them as one flat object with "action"
 * first. A params member named "action" can never override the action. Pure: no I/O.
 */
#ifndef MQTTD_DOMAIN_COMMAND_H
#define MQTTD_DOMAIN_COMMAND_H

#include <json-c/json.h>

#include "arena.h"

/* The payload text in the arena; params may be NULL (no parameters). NULL when params
 * is present but not an object. */
const char *command_payload(struct arena *arena, const char *action, struct json_object *params);

#endif
