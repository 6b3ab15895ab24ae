/*
 * json_reader.h — reading untrusted JSON (request bodies, MQTT payloads) with json-c.
 *
 * The parser is strict (RFC 8259), validates UTF-8, bounds nesting depth and requires
 * the whole input to be one value. The parsed tree belongs to the arena.
 */
#ifndef STATION_JSON_READER_H
#define STATION_JSON_READER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/*
 * Parses data[0..len). Returns the value, or NULL with *error set to a short lower-case
 * reason ("invalid JSON", "invalid UTF-8", "nesting deeper than 32 levels").
 */
struct json_object *json_parse(struct arena *arena, const char *data, size_t len, int max_depth,
			       const char **error);

/* Member access that tolerates any input shape: NULL / false when absent or of another type. */
const char *json_get_string(struct json_object *obj, const char *key);
bool json_get_int(struct json_object *obj, const char *key, long long *out);
bool json_get_number(struct json_object *obj, const char *key, double *out);
bool json_get_bool(struct json_object *obj, const char *key, bool *out);
struct json_object *json_get_object(struct json_object *obj, const char *key);
struct json_object *json_get_array(struct json_object *obj, const char *key);
/* True when key is present (even as null). */
bool json_has(struct json_object *obj, const char *key);
/* True when key is present and null. */
bool json_is_null(struct json_object *obj, const char *key);
/* Compact JSON text of a value, copied into the arena. */
const char *json_text(struct arena *arena, struct json_object *value);
/* The first element of array (NULL or not an array: none) whose string member `key`
 * equals value, or NULL: a capability by its key, a command by its action. */
struct json_object *json_array_find(struct json_object *array, const char *key, const char *value);
/* Whether array (NULL or not an array: no) has a string element equal to s: an event of
 * a device type's `events`. */
bool json_array_has_string(struct json_object *array, const char *s);

#endif
