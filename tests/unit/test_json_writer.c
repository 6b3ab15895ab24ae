/*
 * test_json_writer.c — the streaming writer: separators, nesting, escaping, bad UTF-8.
 */
#include "json_writer.h"
#include "tap.h"

static const char *render(struct arena *a, void (*fill)(struct jw *))
{
	struct buf b;
	struct jw w;
	buf_init(&b, a);
	jw_init(&w, &b);
	fill(&w);
	return b.data;
}

static void nested(struct jw *w)
{
	jw_object_begin(w);
	jw_member_string(w, "a", "x");
	jw_key(w, "list");
	jw_array_begin(w);
	jw_int(w, 1);
	jw_object_begin(w);
	jw_object_end(w);
	jw_null(w);
	jw_array_end(w);
	jw_member_bool(w, "b", true);
	jw_member_raw(w, "raw", "{\"k\":[1,2]}");
	jw_object_end(w);
}

static void escapes(struct jw *w)
{
	jw_string(w, "q\"b\\n\n\t\x01");
}

static void bad_utf8(struct jw *w)
{
	jw_string(w, "a\xff" "b\xc3\xa9" "\xed\xa0\x80");
}

/* Longer than a word, with something to escape at every offset of it. */
static void long_runs(struct jw *w)
{
	jw_array_begin(w);
	jw_string(w, "abcdefghijklmnopqrstuvwxyz0123456789");
	jw_string(w, "abcdefgh\"ijklmnop\\qrstuvw\x1fxyz");
	jw_string(w, "0123456789abcdé0123456789\x7f~ \xc3");
	jw_int(w, -42);
	jw_int(w, 1234567890123LL);
	jw_array_end(w);
}

static void empty_array(struct jw *w)
{
	jw_array_begin(w);
	jw_array_end(w);
}

int main(void)
{
	struct arena *a = arena_new();
	is_str(render(a, nested), "{\"a\":\"x\",\"list\":[1,{},null],\"b\":true,\"raw\":{\"k\":[1,2]}}", "nested values get commas only between members");
	is_str(render(a, escapes), "\"q\\\"b\\\\n\\n\\t\\u0001\"", "quotes, backslashes and controls are escaped");
	is_str(render(a, bad_utf8), "\"a\xef\xbf\xbd" "b\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", "invalid UTF-8 becomes U+FFFD, valid UTF-8 stays");
	is_str(render(a, empty_array), "[]", "empty array");
	is_str(render(a, long_runs),
	       "[\"abcdefghijklmnopqrstuvwxyz0123456789\",\"abcdefgh\\\"ijklmnop\\\\qrstuvw\\u001fxyz\","
	       "\"0123456789abcdé0123456789\x7f~ \xef\xbf\xbd\",-42,1234567890123]",
	       "runs longer than a word are copied whole, what stops them is escaped");
	char small[8];
	size_t n = json_escape_into(small, sizeof small, "abcdefghijkl");
	ok(n == sizeof small && small[7] == '"', "json_escape_into cuts long strings and still closes them");
	arena_destroy(a);
	return done();
}
