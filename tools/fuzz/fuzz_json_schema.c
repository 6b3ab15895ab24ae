/*
 * fuzz_json_schema.c — request bodies: lib/json_reader.c's strict parser, then
 * lib/schema.c's validation against a table that uses every kind, bound and nesting the
 * route tables use (strings by characters and by bytes, enums, UUIDs, emails, times,
 * numbers, nullable members, objects in arrays, a check function).
 *
 * Invariants: a parsed value is written back by json_text() as JSON the parser accepts
 * again, with the same text; validation answers NULL or a message naming a field, with a
 * 4xx status.
 */
#include "fuzz.h"
#include "json_reader.h"
#include "schema.h"
#include "utf8.h"

#define DEPTH 32

static const char *const colours[] = { "red", "green", "blue", NULL };

/* A check beside a field, as routes declare them: runs only after the kind passed. */
static const char *no_spaces_check(const struct field_check_input *in, int *status)
{
	const char *s = json_object_get_string(in->value);
	if (strchr(s, ' ')) {
		*status = 422;
		return arena_printf(in->arena, "%s: must not contain spaces", in->path);
	}
	return NULL;
}

static const struct field tag_item = { "tag", FIELD_STRING, .min = BOUND(1), .max = BOUND(16), .check = no_spaces_check };
static const struct field part_fields[] = {
	{ "key", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(64), .bytes = true },
	{ "colour", FIELD_ENUM, .values = colours },
	{ "level", FIELD_INT, .nullable = true, .min = BOUND(0), .max = BOUND(100) },
	{ "tags", FIELD_ARRAY, .max = BOUND(8), .items = &tag_item },
	{ NULL },
};
static const struct field part_item = { "part", FIELD_OBJECT, .fields = part_fields };
static const struct field body_fields[] = {
	{ "name", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(100) },
	{ "id", FIELD_UUID },
	{ "email", FIELD_EMAIL, .nullable = true },
	{ "at", FIELD_TIME },
	{ "ratio", FIELD_NUMBER, .min = BOUND(-1.5), .max = BOUND(1e6) },
	{ "count", FIELD_INT, .min = BOUND(1) },
	{ "on", FIELD_BOOL },
	{ "parts", FIELD_ARRAY, .max = BOUND(16), .items = &part_item },
	{ "extra", FIELD_ANY },
	{ "nested", FIELD_OBJECT, .nullable = true, .fields = part_fields },
	{ NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const char *error = NULL;
	struct json_object *v = json_parse(a, (const char *)data, size, DEPTH, &error);
	if (!v) {
		FUZZ_CHECK(error != NULL);
	} else {
		FUZZ_CHECK(utf8_valid((const char *)data, size));
		const char *text = json_text(a, v);
		struct json_object *again = json_parse(a, text, strlen(text), DEPTH + 1, &error);
		FUZZ_CHECK(again != NULL);
		FUZZ_CHECK(strcmp(json_text(a, again), text) == 0);
		if (json_object_is_type(v, json_type_object)) {
			int status = 400;
			const char *message = schema_validate_object(a, v, body_fields, NULL, &status);
			FUZZ_CHECK(!message || (*message && status >= 400 && status < 500));
			FUZZ_CHECK(!message || utf8_valid(message, strlen(message)));
		}
	}
	arena_destroy(a);
	return 0;
}
