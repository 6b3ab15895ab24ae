/*
 * test_schema.c — body and query validation and its exact messages.
 */
#include <stdlib.h>

#include "json_reader.h"
#include "schema.h"
#include "tap.h"

/* A rule no kind can express: lower-case letters only; "root" is refused with a 403. */
static const char *slug_check(const struct field_check_input *in, int *status)
{
	const char *s = json_object_get_string(in->value);
	if (strcmp(s, "root") == 0) {
		*status = 403;
		return arena_printf(in->arena, "%s: reserved", in->path);
	}
	for (; *s; s++)
		if (*s < 'a' || *s > 'z')
			return arena_printf(in->arena, "%s: must be lower-case letters", in->path);
	return NULL;
}

static const char *const roles[] = { "admin", "member", NULL };
static const struct field capability[] = {
	{ "key", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(32) },
	{ 0 },
};
static const struct field capability_item = { "capability", FIELD_OBJECT, .fields = capability };
static const struct field body[] = {
	{ "email", FIELD_EMAIL, .required = true },
	{ "name", FIELD_STRING, .min = BOUND(1), .max = BOUND(5) },
	{ "role", FIELD_ENUM, .values = roles },
	{ "zoneId", FIELD_UUID, .nullable = true },
	{ "count", FIELD_INT, .min = BOUND(1), .max = BOUND(10) },
	{ "floor", FIELD_INT, .min = BOUND(1) },
	{ "ceiling", FIELD_NUMBER, .max = BOUND(0) },
	{ "slug", FIELD_STRING, .check = slug_check },
	{ "capabilities", FIELD_ARRAY, .items = &capability_item, .max = BOUND(3) },
	{ 0 },
};

static const char *check(struct arena *a, const char *json)
{
	const char *error = NULL;
	struct json_object *o = json_parse(a, json, strlen(json), 8, &error);
	if (!o)
		return error;
	const char *problem = schema_validate_object(a, o, body, NULL, NULL);
	return problem ? problem : "valid";
}

static const char *query_values[][2] = { { "limit", "abc" }, { "status", "online" } };

static const char *lookup(const void *ctx, const char *name)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof query_values / sizeof query_values[0]; i++)
		if (strcmp(query_values[i][0], name) == 0)
			return query_values[i][1];
	return NULL;
}

int main(void)
{
	struct arena *a = arena_new();
	is_str(check(a, "{\"email\":\"a@b.co\"}"), "valid", "minimal body");
	is_str(check(a, "{}"), "email: is required", "missing field is named");
	is_str(check(a, "{\"email\":5}"), "email: must be a string", "wrong type");
	is_str(check(a, "{\"email\":\"nope\"}"), "email: must be a valid email", "bad email");
	is_str(check(a, "{\"email\":\"a@b.co\",\"name\":\"\"}"), "name: must not be empty", "empty string");
	is_str(check(a, "{\"email\":\"a@b.co\",\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}"), "valid", "length counts characters, not bytes");
	is_str(check(a, "{\"email\":\"a@b.co\",\"name\":\"abcdef\"}"), "name: must be at most 5 characters", "too long");
	is_str(check(a, "{\"email\":\"a@b.co\",\"role\":\"owner\"}"), "role: must be one of admin, member", "enum");
	is_str(check(a, "{\"email\":\"a@b.co\",\"zoneId\":null}"), "valid", "nullable accepts null");
	is_str(check(a, "{\"email\":null}"), "email: must not be null", "null where not allowed");
	is_str(check(a, "{\"email\":\"a@b.co\",\"zoneId\":\"x\"}"), "zoneId: must be a UUID", "uuid");
	is_str(check(a, "{\"email\":\"a@b.co\",\"count\":11}"), "count: must be an integer between 1 and 10", "range");
	is_str(check(a, "{\"email\":\"a@b.co\",\"count\":1.5}"), "count: must be an integer", "decimal is not an integer");
	is_str(check(a, "{\"email\":\"a@b.co\",\"capabilities\":[{\"key\":\"t\"},{}]}"), "capabilities[1].key: is required", "nested path");
	is_str(check(a, "{\"email\":\"a@b.co\",\"capabilities\":[{},{},{},{}]}"), "capabilities: must have between 0 and 3 items", "array bound");
	is_str(check(a, "{\"email\":\"a@b.co\",\"floor\":5}"), "valid", "a minimum alone accepts larger values");
	is_str(check(a, "{\"email\":\"a@b.co\",\"floor\":0}"), "floor: must be an integer of at least 1", "a minimum alone");
	is_str(check(a, "{\"email\":\"a@b.co\",\"ceiling\":-3.5}"), "valid", "a maximum of 0 is a set bound");
	is_str(check(a, "{\"email\":\"a@b.co\",\"ceiling\":0.5}"), "ceiling: must be a number of at most 0", "a maximum alone");
	is_str(check(a, "{\"email\":\"a@b.co\",\"slug\":\"abc\"}"), "valid", "a check function passes");
	is_str(check(a, "{\"email\":\"a@b.co\",\"slug\":\"aB\"}"), "slug: must be lower-case letters", "a check function names the field");
	is_str(check(a, "{\"email\":\"a@b.co\",\"capabilities\":[{\"key\":\"\"}]}"), "capabilities[0].key: must not be empty", "nested bounds");
	{
		const char *error = NULL;
		int status = 0;
		const char *reserved = "{\"email\":\"a@b.co\",\"slug\":\"root\"}", *plain = "{\"email\":\"a@b.co\"}";
		struct json_object *o = json_parse(a, reserved, strlen(reserved), 8, &error);
		is_str(schema_validate_object(a, o, body, NULL, &status), "slug: reserved", "a check may refuse");
		ok(status == 403, "and choose the status");
		o = json_parse(a, plain, strlen(plain), 8, &error);
		ok(schema_validate_object(a, o, body, NULL, &status) == NULL && status == 0, "status 0 when valid");
	}
	is_str(check(a, "[1]"), "body: must be a JSON object", "array body");
	is_str(check(a, "{\"a\":[[[[[[[[[[1]]]]]]]]]]}"), "nesting deeper than 8 levels", "depth bound");
	is_str(check(a, "{\"email\":\"a\xff\"}"), "invalid UTF-8", "invalid UTF-8");
	is_str(check(a, "{\"email\":\"a@b.co\"} x"), "invalid JSON", "trailing garbage");
	is_str(check(a, "{\"email\":'a'}"), "invalid JSON", "not JSON");

	{
		const struct field bytes[] = { { "tag", FIELD_STRING, .bytes = true, .min = BOUND(2), .max = BOUND(4) }, { 0 } };
		const char *error = NULL;
		const char *two = "{\"tag\":\"\xc3\xa9\xc3\xa9\"}", *three = "{\"tag\":\"\xc3\xa9\xc3\xa9\xc3\xa9\"}",
			   *one = "{\"tag\":\"a\"}";
		struct json_object *o = json_parse(a, two, strlen(two), 8, &error);
		ok(schema_validate_object(a, o, bytes, NULL, NULL) == NULL, "byte lengths: two 2-byte characters fit 4 bytes");
		o = json_parse(a, three, strlen(three), 8, &error);
		is_str(schema_validate_object(a, o, bytes, NULL, NULL), "tag: must be at most 4 bytes", "byte lengths: over");
		o = json_parse(a, one, strlen(one), 8, &error);
		is_str(schema_validate_object(a, o, bytes, NULL, NULL), "tag: must be at least 2 bytes", "byte lengths: under");
	}

	static const char *const statuses[] = { "online", "offline", NULL };
	const struct field query[] = {
		{ "limit", FIELD_INT, .min = BOUND(1), .max = BOUND(500) },
		{ "status", FIELD_ENUM, .values = statuses },
		{ 0 },
	};
	is_str(schema_validate_query(a, lookup, NULL, query), "limit: must be an integer", "query integers are checked");

	{
		/* The stock no-duplicates checks name the later of two equal items. */
		const char *error = NULL;
		static const struct field named_fields[] = { { "action", FIELD_STRING }, { "key", FIELD_STRING }, { 0 } };
		static const struct field named = { "item", FIELD_OBJECT, .fields = named_fields };
		static const struct field word = { "word", FIELD_STRING };
		const struct field lists[] = {
			{ "events", FIELD_ARRAY, .items = &named, .check = schema_unique_actions_check },
			{ "caps", FIELD_ARRAY, .items = &named, .check = schema_unique_keys_check },
			{ "words", FIELD_ARRAY, .items = &word, .check = schema_unique_items_check },
			{ 0 },
		};
		const char *cases[][3] = {
			{ "{\"events\":[{\"action\":\"a\"},{\"action\":\"b\"},{\"action\":\"a\"}]}",
			  "events[2].action: already declared", "a repeated action" },
			{ "{\"events\":[{\"action\":\"a\",\"key\":\"k\"},{\"action\":\"b\",\"key\":\"k\"}]}", NULL,
			  "actions differ: other members may repeat" },
			{ "{\"caps\":[{\"key\":\"t\"},{\"key\":\"t\"}]}", "caps[1].key: already declared", "a repeated key" },
			{ "{\"words\":[\"x\",\"y\",\"y\"]}", "words[2]: already declared", "a repeated string" },
			{ "{\"words\":[\"x\",\"X\"]}", NULL, "strings compare exactly" },
		};
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct json_object *o = json_parse(a, cases[i][0], strlen(cases[i][0]), 8, &error);
			is_str(schema_validate_object(a, o, lists, NULL, NULL), cases[i][1], "unique: %s", cases[i][2]);
		}
	}
	arena_destroy(a);
	return done();
}
