/*
 * schema.h — one declaration language for every untrusted input: REST bodies and query
 * strings (the FastCGI runtime validates them before a handler runs) and MQTT payloads
 * (mqttd validates them before its rules see them). The same declarations describe the
 * API in the OpenAPI document.
 *
 * A shape is a NULL-terminated array of fields. Validation answers with a message naming
 * the field: "email: must be a valid email", "capabilities[2].key: is required".
 * Unknown members are ignored (as the original backend's schemas did).
 *
 * Bounds say whether they are set: `.min = BOUND(1)` alone accepts 5; an unset bound is
 * no bound (strings still default to at most 255 characters and arrays to 100 items, so
 * nothing untrusted is unbounded). A rule the kinds cannot express is a `check` function
 * beside the field, not code in a handler.
 */
#ifndef STATION_SCHEMA_H
#define STATION_SCHEMA_H

#include <json-c/json.h>
#include <stdbool.h>

#include "arena.h"

struct db_column;

/* What an unset max means on input: nothing untrusted is unbounded. */
#define SCHEMA_STRING_MAX_DEFAULT 255
#define SCHEMA_ARRAY_MAX_DEFAULT 100
/* No valid email is longer. */
#define SCHEMA_EMAIL_MAX 254

enum field_type {
	FIELD_STRING,  /* min/max: length in characters, or in bytes with .bytes (default max 255) */
	FIELD_INT,     /* min/max: value */
	FIELD_NUMBER,  /* integer or decimal; min/max: value */
	FIELD_BOOL,
	FIELD_UUID,
	FIELD_EMAIL,
	FIELD_ENUM,    /* a string among values[] */
	FIELD_TIME,    /* RFC 3339 timestamp */
	FIELD_OBJECT,  /* members described by fields[] (or, in replies, by a column map) */
	FIELD_ARRAY,   /* each element described by items[0]; min/max: element count (default max 100) */
	FIELD_ANY,     /* any JSON value, including objects with unknown keys */
};

/* A bound that is either set to a value or not set at all (counts are whole numbers). */
struct bound {
	bool set;
	double value;
};
#define BOUND(v) { .set = true, .value = (v) }

/*
 * A rule beside a field: NULL when value passes, else the whole message ("path: …").
 * It runs after the kind and bounds passed. ctx is what the caller of the validator
 * passed (the request, for REST). *status starts at 400; a check may set another 4xx
 * (403: this caller may not send this value).
 */
struct field;
struct field_check_input {
	struct arena *arena;
	const char *path;           /* "commands[2].action" */
	struct json_object *value;  /* NULL only for JSON null on a nullable field */
	const struct field *field;  /* the declaration, bounds included */
	const void *ctx;
};
typedef const char *(*field_check)(const struct field_check_input *in, int *status);

struct field {
	const char *name;
	enum field_type type;
	bool required;                    /* input only: a reply has every member it declares… */
	bool optional;                    /* …but the ones marked here, which it may leave out */
	bool nullable;
	struct bound min;
	struct bound max;
	bool bytes;                       /* FIELD_STRING: min/max count bytes ("at most 64 bytes") */
	const char *const *values;        /* FIELD_ENUM: NULL-terminated */
	const struct field *fields;       /* FIELD_OBJECT */
	const struct field *items;        /* FIELD_ARRAY: one field; its name is not used */
	field_check check;                /* runs after the kind and bounds passed */
	const struct db_column *columns;  /* replies only: an object written from a column map (then .fields) */
	const char *description;          /* for the API document */
};

/*
 * NULL when obj satisfies fields; else the message for the reply, with *status (when
 * status is not NULL) set to 400 or to what a check function chose.
 */
const char *schema_validate_object(struct arena *arena, struct json_object *obj, const struct field *fields,
				   const void *ctx, int *status);

/* Query strings: values are text, so FIELD_INT/UUID/ENUM/TIME/BOOL/STRING apply. */
typedef const char *(*query_lookup)(const void *ctx, const char *name);
const char *schema_validate_query(struct arena *arena, query_lookup lookup, const void *ctx, const struct field *fields);

/* What a value of this kind must be, with the field's bounds: "a number between 0 and
 * 100", "an integer of at least 1", or kind alone when no bound is set. */
const char *schema_expected_value(struct arena *arena, const struct field *f, const char *kind);
/* Whether v is within the field's bounds (unset bounds do not limit). */
bool schema_in_range(const struct field *f, double v);

/* Stock checks of arrays (schema_unique.c): no two items with one `key` member, one
 * `action` member, or equal strings. "events[2].action: already declared". */
const char *schema_unique_keys_check(const struct field_check_input *in, int *status);
const char *schema_unique_actions_check(const struct field_check_input *in, int *status);
const char *schema_unique_items_check(const struct field_check_input *in, int *status);
/* A check for names people type (schema.h checks): "<path>: must not be blank" for a
 * string of spaces, tabs and line breaks only. */
const char *schema_not_blank(const struct field_check_input *in, int *status);

/* The kind's name in messages and documents: "string", "integer", "uuid", … */
const char *field_type_name(enum field_type type);

#endif
