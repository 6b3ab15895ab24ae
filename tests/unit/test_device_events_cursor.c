/*
 * test_device_events_cursor.c — the paging cursor of GET /api/device-events: what it
 * encodes, that it round-trips, and that nothing but its exact form is accepted back
 * (anything else must become 400 "before: invalid cursor", never a database error).
 */
#include <stdlib.h>

#include "crypto.h"
#include "service.h"
#include "tap.h"

#define ID "0b9e6f52-3c1a-4f5e-9d2b-7a8c9e0f1a2b"

/* base64url of arbitrary text, to forge cursors. */
static const char *b64(struct arena *a, const char *text)
{
	return base64url_encode(a, text, strlen(text));
}

static bool decodes(struct arena *a, const char *cursor)
{
	long long us = 0;
	const char *id = NULL;
	return page_cursor_decode(a, cursor, &us, &id);
}

int main(void)
{
	struct arena *a = arena_new();
	long long us = 0;
	const char *id = NULL;

	const char *cursor = page_cursor_encode(a, "1795853614123312", ID);
	is_str(cursor, b64(a, "1795853614123312:" ID), "the cursor is base64url of \"<µs>:<id>\"");
	ok(strspn(cursor, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(cursor),
	   "the cursor needs no URL escaping and has no padding");
	ok(page_cursor_decode(a, cursor, &us, &id), "a cursor made here is accepted");
	ok(us == 1795853614123312LL, "its time comes back exactly");
	is_str(id, ID, "its id comes back");

	cursor = page_cursor_encode(a, "-1500", ID);
	ok(page_cursor_decode(a, cursor, &us, &id) && us == -1500, "times before 1970 round-trip");
	cursor = page_cursor_encode(a, "0", ID);
	ok(page_cursor_decode(a, cursor, &us, &id) && us == 0, "the epoch itself round-trips");

	ok(!decodes(a, ""), "empty");
	ok(!decodes(a, "!!!!"), "not base64url");
	ok(!decodes(a, "abcde"), "impossible base64 length");
	ok(!decodes(a, "MTIzOjQ1Ng"), "\"123:456\": not a UUID");
	ok(!decodes(a, b64(a, ID)), "no time");
	ok(!decodes(a, b64(a, ":" ID)), "empty time");
	ok(!decodes(a, b64(a, "-:" ID)), "a sign without digits");
	ok(!decodes(a, b64(a, "12a:" ID)), "letters in the time");
	ok(!decodes(a, b64(a, "+12:" ID)), "a plus sign");
	ok(!decodes(a, b64(a, "0012:" ID)), "leading zeros");
	ok(!decodes(a, b64(a, "-0:" ID)), "minus zero");
	ok(!decodes(a, b64(a, "99999999999999999999:" ID)), "a time beyond 64 bits");
	ok(!decodes(a, b64(a, "9223372036854775807:" ID)), "a time after the year 9999");
	ok(!decodes(a, b64(a, "-62135596800000001:" ID)), "a time before the year 1");
	ok(decodes(a, b64(a, "253402300799999999:" ID)), "the last microsecond of 9999");
	ok(!decodes(a, b64(a, "12:" ID "x")), "trailing text");
	ok(!decodes(a, b64(a, "12:0B9E6F52-3C1A-4F5E-9D2B-7A8C9E0F1A2B")), "an upper-case id (never made here)");
	ok(!decodes(a, b64(a, "12:" ID ":13")), "two colons");
	char padded[128];
	snprintf(padded, sizeof padded, "%s=", page_cursor_encode(a, "12", ID));
	ok(!decodes(a, padded), "padding");
	/* "1:" + ID is 38 bytes: its last base64 digit carries 2 spare bits, which must be 0. */
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char tampered[128];
	snprintf(tampered, sizeof tampered, "%s", page_cursor_encode(a, "1", ID));
	size_t n = strlen(tampered);
	tampered[n - 1] = alphabet[strchr(alphabet, tampered[n - 1]) - alphabet + 1];
	ok(!decodes(a, tampered), "stray bits in the last digit");
	char with_nul[] = { 'M', 'Q', 'A', 'x', 0 }; /* "1\0" + "1" */
	ok(!decodes(a, with_nul), "a NUL inside");
	char huge[2048];
	memset(huge, 'A', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	ok(!decodes(a, huge), "far too long");

	is_str(page_time_text(a, 1795853614123312LL), "2026-11-28T08:13:34.123312Z", "times keep all six decimals");
	is_str(page_time_text(a, 0), "1970-01-01T00:00:00.000000Z", "the epoch");
	is_str(page_time_text(a, -1), "1969-12-31T23:59:59.999999Z", "one microsecond before it (floor, not truncation)");
	is_str(page_time_text(a, -1500000), "1969-12-31T23:59:58.500000Z", "1.5 s before it");
	is_str(page_time_text(a, -62135596800000000LL), "0001-01-01T00:00:00.000000Z", "the first instant of year 1");
	is_str(page_time_text(a, 253402300799999999LL), "9999-12-31T23:59:59.999999Z", "the last of 9999");
	ok(page_time_text(a, -62135596800000001LL) == NULL, "before year 1: none");
	ok(page_time_text(a, 253402300800000000LL) == NULL, "after 9999: none");

	ok(event_page_max(500) == 500, "page_limit 500: 500");
	ok(event_page_max(100) == 100, "a lower events.page_limit lowers the largest page");
	ok(event_page_max(5000) == EVENTS_PAGE_MAX, "a higher one cannot raise SPEC's 500");

	arena_destroy(a);
	return done();
}
