/*
 * schema.h — declared shapes of request bodies and query strings.
 *
 * A route points at a NULL-terminated array of fields; the runtime validates input
 * against it before the handler runs and answers 400 with a message naming the field:
 * "email: must be a valid email", "capabilities[2].key: is required".
 * Unknown members are ignored (as the original backend's schemas did).
 */
#ifndef STATION_CGI_SCHEMA_H
#define STATION_CGI_SCHEMA_H

#include <json-c/json.h>
#include <stdbool.h>

#include "arena.h"

enum field_type {
	FIELD_STRING,  /* min/max: length in characters (default max 255) */
	FIELD_INT,     /* min/max: value (0,0 = any) */
	FIELD_NUMBER,  /* integer or decimal; min/max: value (0,0 = any) */
	FIELD_BOOL,
	FIELD_UUID,
	FIELD_EMAIL,
	FIELD_ENUM,    /* a string among values[] */
	FIELD_TIME,    /* RFC 3339 timestamp */
	FIELD_OBJECT,  /* members described by fields[]; NULL fields: any object */
	FIELD_ARRAY,   /* each element described by items[0]; min/max: element count (default max 100) */
	FIELD_ANY,     /* any JSON value, including objects with unknown keys */
};

struct field {
	const char *name;
	enum field_type type;
	bool required;
	bool nullable;
	long long min;
	long long max;
	const char *const *values;   /* FIELD_ENUM: NULL-terminated */
	const struct field *fields;  /* FIELD_OBJECT */
	const struct field *items;   /* FIELD_ARRAY: one field; its name is not used */
};

/* NULL when obj satisfies fields; else a message for the 400 reply. */
const char *schema_validate_object(struct arena *arena, struct json_object *obj, const struct field *fields);

/* Query strings: values are text, so FIELD_INT/UUID/ENUM/TIME/BOOL/STRING apply. */
typedef const char *(*query_lookup)(const void *ctx, const char *name);
const char *schema_validate_query(struct arena *arena, query_lookup lookup, const void *ctx, const struct field *fields);

#endif
