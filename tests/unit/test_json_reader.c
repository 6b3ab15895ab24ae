/*
 * test_json_reader.c — the strict JSON reader (lib/json_reader.c): the whole input is one
 * value, followed by nothing but whitespace, whatever kind the value is.
 */
#include <string.h>

#include "json_reader.h"
#include "tap.h"

/* The value's compact text, or the reader's error. */
static const char *read_json(struct arena *a, const char *data, size_t len)
{
	const char *error = NULL;
	struct json_object *v = json_parse(a, data, len, 8, &error);
	return v ? json_text(a, v) : error;
}

int main(void)
{
	struct arena *a = arena_new();

	is_str(read_json(a, "{\"a\":1}", 7), "{\"a\":1}", "an object");
	is_str(read_json(a, "{\"a\":1} \r\n\t", 11), "{\"a\":1}", "whitespace after the value");
	is_str(read_json(a, "{} {}", 5), "invalid JSON", "a second value");

	/* Found by tools/fuzz/fuzz_json_schema: a NUL byte after the value passed as whitespace. */
	is_str(read_json(a, "{\"a\":1}\0", 8), "invalid JSON", "a NUL byte after an object");
	is_str(read_json(a, "1\0\0", 3), "invalid JSON", "NUL bytes after a number");
	is_str(read_json(a, "[]\0 ", 4), "invalid JSON", "a NUL byte before whitespace");

	/* Found by tools/fuzz/fuzz_json_schema: a number or literal ending the input was
	 * refused ("1"), while the same followed by a space was read ("1 "). */
	is_str(read_json(a, "1", 1), "1", "a number that ends the input");
	is_str(read_json(a, "1 ", 2), "1", "the same number before a space");
	is_str(read_json(a, "-2.5e3", 6), "-2.5e3", "a decimal that ends the input");
	is_str(read_json(a, "true", 4), "true", "a literal that ends the input");
	/* json-c reads null as no object: a top-level null is refused, with or without a space. */
	is_str(read_json(a, "null", 4), "invalid JSON", "null that ends the input");
	is_str(read_json(a, "null ", 5), "invalid JSON", "null before a space");
	is_str(read_json(a, "1.5e", 4), "invalid JSON", "a number cut short");
	is_str(read_json(a, "tru", 3), "invalid JSON", "a literal cut short");
	is_str(read_json(a, "", 0), "invalid JSON", "no value at all");
	is_str(read_json(a, "  ", 2), "invalid JSON", "whitespace alone");

	const char *error = NULL;
	const char *list = "[\"turned_on\",7,\"turned_off\"]";
	struct json_object *events = json_parse(a, list, strlen(list), 8, &error);
	ok(events && json_array_has_string(events, "turned_off"), "a string of an array");
	ok(!json_array_has_string(events, "7") && !json_array_has_string(events, "turned"), "only equal strings");
	ok(!json_array_has_string(NULL, "x") && !json_array_has_string(json_get_object(events, "x"), "x"),
	   "no array: nothing");

	arena_destroy(a);
	return done();
}
