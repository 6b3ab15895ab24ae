/*
 * service.h — rules of the device type registry (api-device-types) beyond the body schema.
 */
#ifndef STATION_API_DEVICE_TYPES_SERVICE_H
#define STATION_API_DEVICE_TYPES_SERVICE_H

#include <json-c/json.h>

#include "arena.h"
#include "repo.h"

/* True when id matches ^[a-z0-9][a-z0-9_-]{0,63}$ (the device_types.id check). */
bool device_type_id_is_valid(const char *id);

/*
 * Checks a schema-valid PUT body (names, duplicates, ranges) and fills row with the
 * canonical JSON of its capabilities, commands and events. Returns NULL, or the
 * message of the 400 reply ("capabilities[1].key: already declared").
 */
const char *device_type_from_body(struct arena *arena, const char *id, struct json_object *body,
				  struct device_type_row *row);

#endif
