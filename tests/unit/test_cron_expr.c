/*
 * test_cron_expr.c — cron expressions: parse errors name what is wrong, matching of lists,
 * ranges, steps and names, Vixie's day-of-month/day-of-week rule, and the daylight-saving
 * rule in Europe/Berlin and America/New_York (a fixed time in a spring-forward gap fires
 * once after it, a fixed time in a fall-back overlap once, hourly expressions keep their
 * interval). The clock is fixed: every "now" is a literal instant.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron_expr.h"
#include "tap.h"

static long long utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
	return (long long)timegm(&tm);
}

static void parse_error(const char *text, const char *want)
{
	struct cron_expr e;
	char error[CRON_ERROR_SIZE];
	bool parsed = cron_parse(text, &e, error);
	ok(!parsed, "'%s' is refused", text);
	is_str(error, want, "'%s' names what is wrong", text);
}

/* The next instant after `after` of `text` in `zone` is `want` (epoch seconds, -1 never). */
static void next_is(const char *text, const char *zone, long long after, long long want, const char *what)
{
	struct cron_expr e;
	char error[CRON_ERROR_SIZE];
	long long got = -1;
	if (!cron_parse(text, &e, error)) {
		ok(0, "%s: %s", what, error);
		return;
	}
	if (!cron_next(&e, zone, after, &got))
		got = -1;
	ok(got == want, "%s", what);
	if (got != want)
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
}

/* How many times `text` fires in [from, to) in `zone`. */
static int firings(const char *text, const char *zone, long long from, long long to)
{
	struct cron_expr e;
	char error[CRON_ERROR_SIZE];
	if (!cron_parse(text, &e, error))
		return -1;
	int n = 0;
	long long t = from - 1, next;
	while (cron_next(&e, zone, t, &next) && next < to) {
		n++;
		t = next;
	}
	return n;
}

int main(void)
{
	/* Errors. */
	parse_error("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4");
	parse_error("", "expected 5 fields (minute hour day-of-month month day-of-week), got 0");
	parse_error("* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 6");
	parse_error("61 * * * *", "minute: 61 is out of range 0-59");
	parse_error("0 24 * * *", "hour: 24 is out of range 0-23");
	parse_error("0 0 0 * *", "day-of-month: 0 is out of range 1-31");
	parse_error("0 0 * 13 *", "month: 13 is out of range 1-12");
	parse_error("0 0 * * 8", "day-of-week: 8 is out of range 0-7");
	parse_error("* 5-3 * * *", "hour: range 5-3 is reversed");
	parse_error("* * * foo *", "month: unknown name 'foo'");
	parse_error("* * * * funday", "day-of-week: unknown name 'funday'");
	parse_error("a * * * *", "minute: unknown name 'a'");
	parse_error("*/0 * * * *", "minute: step must be 1 or more");
	parse_error("*/x * * * *", "minute: step must be a number");
	parse_error("1,,2 * * * *", "minute: empty list item");
	parse_error("1; * * * *", "minute: unexpected ';'");
	parse_error("0 0 30 2 *", "day-of-month: 30 never falls in month 2");
	parse_error("0 0 31 apr,jun *", "day-of-month: 31 never falls in month apr,jun");
	parse_error("@fortnightly", "unknown shortcut '@fortnightly'");

	struct cron_expr e;
	char error[CRON_ERROR_SIZE];
	ok(cron_parse("0 0 30 2 mon", &e, error), "an impossible day of month is fine when the weekday may match");
	ok(cron_parse("  5,10-20/5,*/30 1-3 * JAN-Mar sun,sat  ", &e, error), "lists, ranges, steps and names");
	ok(e.minutes == ((1ULL << 0) | (1ULL << 5) | (1ULL << 10) | (1ULL << 15) | (1ULL << 20) | (1ULL << 30)),
	   "minutes of the list");
	ok(e.months == ((1 << 1) | (1 << 2) | (1 << 3)), "months by name");
	ok(e.weekdays == ((1 << 0) | (1 << 6)), "weekdays by name");
	ok(cron_parse("0 0 * * 7", &e, error) && e.weekdays == 1, "7 is Sunday");
	ok(cron_parse("0 0 10/10 * *", &e, error) && e.days == ((1u << 10) | (1u << 20) | (1u << 30)),
	   "a/n runs from a to the end of the field");

	/* Matching in UTC (Friday 2026-11-27). */
	next_is("*/15 * * * *", "UTC", utc(2026, 11, 27, 10, 7), utc(2026, 11, 27, 10, 15), "every 15 minutes");
	next_is("*/15 * * * *", "UTC", utc(2026, 11, 27, 10, 15), utc(2026, 11, 27, 10, 30), "strictly after");
	next_is("0 12 * * mon-fri", NULL, utc(2026, 11, 27, 13, 0), utc(2026, 11, 30, 12, 0), "weekdays skip the weekend");
	next_is("0 0 13 * fri", "UTC", utc(2026, 11, 1, 0, 0), utc(2026, 11, 6, 0, 0),
		"both days restricted: a Friday matches (Vixie)");
	next_is("0 0 13 * fri", "UTC", utc(2026, 11, 7, 0, 0), utc(2026, 11, 13, 0, 0),
		"both days restricted: the 13th matches (Vixie)");
	next_is("0 0 13 * *", "UTC", utc(2026, 11, 7, 0, 0), utc(2026, 11, 13, 0, 0), "day of month alone");
	next_is("0 0 */2 * fri", "UTC", utc(2026, 11, 7, 0, 0), utc(2026, 11, 13, 0, 0),
		"a day field starting with * joins with AND");
	next_is("0 0 29 2 *", "UTC", utc(2026, 3, 1, 0, 0), utc(2028, 2, 29, 0, 0), "the next leap day");
	next_is("@hourly", "UTC", utc(2026, 11, 27, 10, 7), utc(2026, 11, 27, 11, 0), "@hourly");
	next_is("30 9 * * *", "Europe/Berlin", utc(2026, 11, 27, 0, 0), utc(2026, 11, 27, 8, 30),
		"a local time in winter (UTC+1)");
	next_is("30 9 * * *", "Europe/Berlin", utc(2026, 7, 1, 0, 0), utc(2026, 7, 1, 7, 30),
		"a local time in summer (UTC+2)");

	/* Europe/Berlin, spring forward on 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z). */
	next_is("30 2 * * *", "Europe/Berlin", utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 1, 0),
		"Berlin: 02:30 in the gap fires at 03:00 CEST");
	next_is("30 2 * * *", "Europe/Berlin", utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30),
		"Berlin: then 02:30 CEST the day after");
	ok(firings("30 2 * * *", "Europe/Berlin", utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0)) == 1,
	   "Berlin: 02:30 fires once on the spring-forward day");
	ok(firings("* 2 * * *", "Europe/Berlin", utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0)) == 1,
	   "Berlin: every minute of the missing hour fires once, after the gap");
	next_is("0 3 * * *", "Europe/Berlin", utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 1, 0),
		"Berlin: 03:00 exists and is the same instant");
	ok(firings("*/30 2,3 * * *", "Europe/Berlin", utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0)) == 2,
	   "Berlin: 02:00 and 02:30 join 03:00; 03:30 fires (two in all)");
	next_is("30 * * * *", "Europe/Berlin", utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30),
		"Berlin: an hourly job skips 02:30 and runs at 03:30");
	ok(firings("0 * * * *", "Europe/Berlin", utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 22, 0)) == 23,
	   "Berlin: hourly runs 23 times on a 23-hour day");

	/* Europe/Berlin, fall back on 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00Z). */
	next_is("30 2 * * *", "Europe/Berlin", utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 0, 30),
		"Berlin: 02:30 fires at its first occurrence (CEST)");
	next_is("30 2 * * *", "Europe/Berlin", utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30),
		"Berlin: not again at 02:30 CET");
	ok(firings("30 2 * * *", "Europe/Berlin", utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 23, 0)) == 1,
	   "Berlin: 02:30 fires once on the fall-back day");
	next_is("30 * * * *", "Europe/Berlin", utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30),
		"Berlin: an hourly job runs at both 02:30s");
	ok(firings("0 * * * *", "Europe/Berlin", utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 23, 0)) == 25,
	   "Berlin: hourly runs 25 times on a 25-hour day");

	/* America/New_York: 2026-03-08 02:00 EST → 03:00 EDT (07:00Z); 2026-11-01 02:00 EDT →
	 * 01:00 EST (06:00Z). */
	next_is("30 2 * * *", "America/New_York", utc(2026, 3, 7, 12, 0), utc(2026, 3, 8, 7, 0),
		"New York: 02:30 in the gap fires at 03:00 EDT");
	ok(firings("30 2 * * *", "America/New_York", utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0)) == 1,
	   "New York: 02:30 fires once on the spring-forward day");
	next_is("30 1 * * *", "America/New_York", utc(2026, 10, 31, 12, 0), utc(2026, 11, 1, 5, 30),
		"New York: 01:30 fires at its first occurrence (EDT)");
	next_is("30 1 * * *", "America/New_York", utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30),
		"New York: then 01:30 EST the next day");
	ok(firings("30 1 * * *", "America/New_York", utc(2026, 11, 1, 4, 0), utc(2026, 11, 2, 4, 0)) == 1,
	   "New York: 01:30 fires once on the fall-back day");
	next_is("0 0 * * sun", "America/New_York", utc(2026, 11, 27, 12, 0), utc(2026, 11, 29, 5, 0),
		"New York: weekday counted on the local date");

	/* The caller's TZ survives. */
	setenv("TZ", "Asia/Tokyo", 1);
	long long n;
	cron_parse("0 0 * * *", &e, error);
	cron_next(&e, "Europe/Berlin", utc(2026, 11, 27, 0, 0), &n);
	is_str(getenv("TZ"), "Asia/Tokyo", "TZ is restored");
	unsetenv("TZ");
	cron_next(&e, "Europe/Berlin", utc(2026, 11, 27, 0, 0), &n);
	ok(getenv("TZ") == NULL, "an unset TZ stays unset");
	return done();
}
