/*
 * test_utf8.c — the one UTF-8 rule (lib/utf8.c): what is well-formed, every way a byte
 * string is not, and the users that must follow it (JSON reader and writer).
 */
#include <string.h>

#include "json_reader.h"
#include "json_writer.h"
#include "tap.h"
#include "utf8.h"

static bool valid(const char *s)
{
	return utf8_valid(s, strlen(s));
}

static size_t seq(const char *s)
{
	return utf8_sequence_length((const unsigned char *)s, strlen(s));
}

int main(void)
{
	struct arena *a = arena_new();

	ok(valid(""), "the empty string");
	ok(valid("plain ascii"), "ASCII");
	ok(valid("\xC3\xA9"), "2 bytes: U+00E9");
	ok(valid("\xC2\x80") && valid("\xDF\xBF"), "2 bytes: U+0080 and U+07FF, the ends");
	ok(valid("\xE2\x82\xAC"), "3 bytes: U+20AC");
	ok(valid("\xE0\xA0\x80") && valid("\xEF\xBF\xBF"), "3 bytes: U+0800 and U+FFFF, the ends");
	ok(valid("\xED\x9F\xBF") && valid("\xEE\x80\x80"), "3 bytes: U+D7FF and U+E000, around the surrogates");
	ok(valid("\xF0\x9F\x98\x80"), "4 bytes: U+1F600");
	ok(valid("\xF0\x90\x80\x80") && valid("\xF4\x8F\xBF\xBF"), "4 bytes: U+10000 and U+10FFFF, the ends");
	ok(utf8_valid("a\0b", 3), "a NUL byte is U+0000");

	ok(!valid("\xC0\x80"), "overlong 2 bytes (C0 80)");
	ok(!valid("\xC1\xBF"), "overlong 2 bytes (C1 BF)");
	ok(!valid("\xE0\x80\x80"), "overlong 3 bytes (E0 80 80)");
	ok(!valid("\xE0\x9F\xBF"), "overlong 3 bytes (E0 9F BF)");
	ok(!valid("\xF0\x80\x80\x80"), "overlong 4 bytes (F0 80 80 80)");
	ok(!valid("\xF0\x8F\xBF\xBF"), "overlong 4 bytes (F0 8F BF BF)");
	ok(!valid("\xED\xA0\x80"), "surrogate U+D800 (ED A0 80)");
	ok(!valid("\xED\xBF\xBF"), "surrogate U+DFFF (ED BF BF)");
	ok(!valid("\xF4\x90\x80\x80"), "over U+10FFFF (F4 90 80 80)");
	ok(!valid("\xF5\x80\x80\x80") && !valid("\xFF"), "bytes that never start a sequence (F5, FF)");
	ok(!valid("\x80") && !valid("a\xBF"), "a stray continuation byte");
	ok(!valid("\xC3"), "truncated 2 bytes");
	ok(!valid("\xE2\x82"), "truncated 3 bytes");
	ok(!valid("\xF0\x9F\x98"), "truncated 4 bytes");
	ok(!valid("\xE2\x82x"), "a 3-byte sequence broken by ASCII");
	ok(!utf8_valid("\xC3\xA9", 1), "the length bounds the read: a sequence cut by len");

	ok(seq("a") == 1 && seq("\xC3\xA9") == 2 && seq("\xE2\x82\xAC") == 3 && seq("\xF0\x9F\x98\x80") == 4,
	   "sequence lengths 1 to 4");
	ok(seq("\xE0\x80\x80") == 0 && seq("\xED\xA0\x80") == 0 && seq("\xF4\x90\x80\x80") == 0, "ill-formed: 0");
	ok(utf8_sequence_length((const unsigned char *)"a", 0) == 0, "nothing to read: 0");

	ok(utf8_codepoints("") == 0, "code points of the empty string");
	ok(utf8_codepoints("h\xC3\xA9llo \xE2\x82\xAC\xF0\x9F\x98\x80") == 8, "code points, not bytes");

	const char *error = NULL;
	ok(!json_parse(a, "{\"a\":\"\xE0\x80\x80\"}", 11, 4, &error), "the JSON reader refuses an overlong form");
	is_str(error, "invalid UTF-8", "with its message");
	ok(!json_parse(a, "{\"a\":\"\xED\xA0\x80\"}", 11, 4, &error), "the JSON reader refuses a surrogate");
	ok(json_parse(a, "{\"a\":\"\xF0\x9F\x98\x80\"}", 12, 4, &error) != NULL, "and reads a 4-byte character");

	struct buf b;
	struct jw w;
	buf_init(&b, a);
	jw_init(&w, &b);
	jw_string(&w, "\xE0\x80\x80" "\xC3\xA9");
	is_str(b.data, "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9\"", "the JSON writer replaces an overlong form byte by byte");

	arena_destroy(a);
	return done();
}
