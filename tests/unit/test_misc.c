/*
 * test_misc.c — small pure helpers: UUIDs, timestamps (parsing, the one RFC 3339 writer),
 * base64url both ways, the arena, integers to decimal text.
 */
#include <string.h>

#include "arena.h"
#include "crypto.h"
#include "db.h"
#include "decimal.h"
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

	char d[DECIMAL_MAX];
	ok(decimal_u64(d, 0) == 1 && strcmp(d, "0") == 0, "decimal 0");
	ok(decimal_u64(d, 9) == 1 && strcmp(d, "9") == 0, "decimal one digit");
	ok(decimal_u64(d, 10) == 2 && strcmp(d, "10") == 0, "decimal two digits");
	ok(decimal_u64(d, 100) == 3 && strcmp(d, "100") == 0, "decimal three digits");
	ok(decimal_u64(d, 32248) == 5 && strcmp(d, "32248") == 0, "decimal odd number of digits");
	ok(decimal_u64(d, 18446744073709551615ULL) == 20 && strcmp(d, "18446744073709551615") == 0, "decimal largest");
	ok(decimal_i64(d, -1) == 2 && strcmp(d, "-1") == 0, "decimal negative");
	ok(decimal_i64(d, -9223372036854775807LL - 1) == 20 && strcmp(d, "-9223372036854775808") == 0,
	   "decimal smallest long long");
	ok(decimal_i64(d, 9223372036854775807LL) == 19 && strcmp(d, "9223372036854775807") == 0, "decimal largest long long");
	char fixed[8] = "xxxxxxx";
	decimal_fixed(fixed, 5, 2);
	decimal_fixed(fixed + 2, 123, 3);
	decimal_fixed(fixed + 5, 12345, 2);
	is_str(fixed, "0512345", "decimal fixed width pads and keeps the low digits");

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
	is_str(time_rfc3339_ms(a, 0), "1970-01-01T00:00:00.000Z", "format: the epoch");
	is_str(time_rfc3339_ms(a, -1), "1969-12-31T23:59:59.999Z", "format: before the epoch, floor");
	ok(time_rfc3339_ms(a, 253402300800000LL) == NULL, "format: after 9999, none");
	is_str(time_rfc3339_us(a, 1795842803123456LL), "2026-11-28T05:13:23.123456Z", "format with microseconds");
	is_str(time_rfc3339_us(a, -1500000), "1969-12-31T23:59:58.500000Z", "microseconds before the epoch, floor");
	is_str(time_rfc3339_us(a, -62135596800000000LL), "0001-01-01T00:00:00.000000Z", "the first instant of year 1");
	is_str(time_rfc3339_us(a, 253402300799999999LL), "9999-12-31T23:59:59.999999Z", "the last of 9999");
	ok(time_rfc3339_us(a, -62135596800000001LL) == NULL, "before year 1: none");
	char ts[TIME_RFC3339_SIZE];
	ok(time_format_rfc3339(ts, 1795842803123999LL, 3), "the buffer writer");
	is_str(ts, "2026-11-28T05:13:23.123Z", "milliseconds are cut, not rounded");
	ok(!time_format_rfc3339(ts, 0, 4) && ts[0] == '\0', "3 or 6 decimals only");
	ok(time_parse_rfc3339(time_rfc3339_ms(a, 1795842803123LL), &ms) == 0 && ms == 1795842803123LL,
	   "what is written parses back");

	is_str(base64url_encode(a, "\xfb\xff", 2), "-_8", "base64url alphabet, no padding");
	is_str(base64url_encode(a, "abc", 3), "YWJj", "base64url of 3 bytes");
	char dec[64];
	long n;
	for (size_t len = 0; len <= 33; len++) {
		unsigned char raw[33];
		for (size_t i = 0; i < len; i++)
			raw[i] = (unsigned char)(i * 37 + len * 11 + 0xF0);
		const char *text = base64url_encode(a, raw, len);
		n = base64url_decode(text, strlen(text), dec, sizeof dec);
		if (n != (long)len || memcmp(dec, raw, len) != 0) {
			ok(0, "base64url round trip of %zu bytes", len);
			break;
		}
		if (len == 33)
			ok(1, "base64url round trips of 0 to 33 bytes");
	}
	n = base64url_decode("-_8", 3, dec, sizeof dec);
	ok(n == 2 && memcmp(dec, "\xfb\xff", 2) == 0, "decode: the URL alphabet");
	ok(base64url_decode("", 0, dec, sizeof dec) == 0, "decode: empty");
	ok(base64url_decode("YWJj", 4, dec, 2) == -1, "decode: does not fit");
	ok(base64url_decode("YWJj", 4, dec, 3) == 3, "decode: fits exactly");
	ok(base64url_decode("YWI", 3, dec, sizeof dec) == 2 && memcmp(dec, "ab", 2) == 0, "decode: 3 characters are 2 bytes");
	ok(base64url_decode("YWJjZ", 5, dec, sizeof dec) == -1, "decode: a length of 4n+1");
	ok(base64url_decode("YW==", 4, dec, sizeof dec) == -1, "decode: padding");
	ok(base64url_decode("YW+/", 4, dec, sizeof dec) == -1, "decode: the standard alphabet's + and /");
	ok(base64url_decode("YW J", 4, dec, sizeof dec) == -1, "decode: a space");
	ok(base64url_decode("YR", 2, dec, sizeof dec) == -1, "decode: stray bits in the last character");
	ok(base64url_decode("YWJ", 3, dec, sizeof dec) == -1, "decode: stray bits after 2 bytes");

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
