/*
 * test_misc.c — small pure helpers: UUIDs, timestamps, base64url, the arena.
 */
#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "tap.h"
#include "timeutil.h"
#include "uuid.h"

int main(void)
{
	struct arena *a = arena_new();
	ok(uuid_is_valid("0b7c8f3e-5a1d-4c2e-9f00-123456789ABC"), "uuid accepted");
	ok(!uuid_is_valid("0b7c8f3e5a1d-4c2e-9f00-123456789abc0"), "misplaced dash");
	ok(!uuid_is_valid("0b7c8f3e-5a1d-4c2e-9f00-123456789abg"), "non-hex");
	ok(!uuid_is_valid(""), "empty");

	char t[32];
	db_time_to_rfc3339("2026-11-28 05:13:23.123456+00", t);
	is_str(t, "2026-11-28T05:13:23.123Z", "postgres time with micros");
	db_time_to_rfc3339("2026-11-28 05:13:23+00", t);
	is_str(t, "2026-11-28T05:13:23.000Z", "postgres time without fraction");
	db_time_to_rfc3339("2026-11-28 05:13:23.1+00", t);
	is_str(t, "2026-11-28T05:13:23.100Z", "short fraction is padded");

	long long ms;
	int rc;
	ok(time_parse_rfc3339("2026-11-28T05:13:23.123Z", &ms) == 0 && ms == 1795842803123LL, "parse with Z");
	ok(time_parse_rfc3339("2026-11-28T06:13:23.123+01:00", &ms) == 0 && ms == 1795842803123LL, "parse with offset");
	ok(time_parse_rfc3339("2026-11-28 05:13:23Z", &ms) != 0, "space instead of T is refused");
	ok(time_parse_rfc3339("2026-11-28T05:13:23", &ms) != 0, "missing zone is refused");
	ok(time_parse_rfc3339("2026-02-31T00:00:00Z", &ms) != 0, "a day that does not exist is refused");
	ok(time_parse_rfc3339("2024-02-29T00:00:00Z", &ms) == 0, "a leap day is accepted");
	rc = time_parse_rfc3339("2016-12-31T23:59:60Z", &ms);
	ok(rc == 0 && ms == 1483228800000LL, "a leap second is accepted, as the next second");
	rc = time_parse_rfc3339("2026-01-15T12:00:61Z", &ms);
	ok(rc != 0, "a second over 60 is refused");
	is_str(time_rfc3339_ms(a, 1795842803123LL), "2026-11-28T05:13:23.123Z", "format");

	is_str(base64url_encode(a, "\xfb\xff", 2), "-_8", "base64url alphabet, no padding");
	is_str(base64url_encode(a, "abc", 3), "YWJj", "base64url of 3 bytes");

	char *big = arena_alloc(a, 100000);
	big[99999] = 1;
	ok(big[0] == 0, "large allocations are zeroed");
	is_str(arena_printf(a, "%s-%d", "x", 7), "x-7", "arena_printf");
	struct buf b;
	buf_init(&b, a);
	for (int i = 0; i < 1000; i++)
		buf_puts(&b, "0123456789");
	ok(b.len == 10000 && b.data[10000] == '\0', "buf grows and stays terminated");
	arena_reset(a);
	ok(arena_strdup(a, "again") != NULL, "arena usable after reset");
	arena_destroy(a);
	return done();
}
