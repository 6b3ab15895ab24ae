/*
 * cron_expr.h — five-field cron expressions (minute hour day-of-month month day-of-week),
 * parsed once and evaluated in a named time zone, correct across daylight-saving changes.
 *
 * Syntax per field: `*`, a number, a range `a-b`, a step `*\/n`, `a-b/n` or `a/n` (a to the
 * field's end), and comma-separated lists of these. Months take `jan`…`dec`, days of the
 * week `sun`…`sat` (0 and 7 are both Sunday). `@yearly`, `@annually`, `@monthly`, `@weekly`,
 * `@daily`, `@midnight` and `@hourly` stand for their usual expansions.
 *
 * Day matching follows Vixie cron: when both day-of-month and day-of-week are restricted
 * (neither starts with `*`), a day matches if either does; otherwise both must.
 *
 * Daylight saving (the rule automationd documents in docs/automations.md):
 *  - a local time that does not exist (spring forward, e.g. 02:30 in Europe/Berlin on the
 *    last Sunday of March) fires once, at the first instant after the gap (03:00 local);
 *    many skipped times of one expression (`* 2 * * *`) still fire once there;
 *  - a local time that exists twice (fall back) fires once, at its first occurrence;
 *  - an expression whose hour field starts with `*` (hourly or finer: `30 * * * *`,
 *    `*\/15 * * * *`) is not moved: times in a gap are skipped, and times that occur twice
 *    fire both times, so it keeps its interval in real time.
 *
 * Evaluation sets the process's TZ while it runs (glibc's localtime/mktime read it) and
 * restores it: do not call cron_next from two threads at once.
 */
#ifndef STATION_CRON_EXPR_H
#define STATION_CRON_EXPR_H

#include <stdbool.h>
#include <stdint.h>

struct cron_expr {
	uint64_t minutes;  /* bit n: minute n (0–59) */
	uint32_t hours;    /* bit n: hour n (0–23) */
	uint32_t days;     /* bit n: day of month n (1–31) */
	uint16_t months;   /* bit n: month n (1–12) */
	uint8_t weekdays;  /* bit n: day of week n (0 = Sunday … 6) */
	bool days_star;    /* the day-of-month field starts with '*' */
	bool weekdays_star;
	bool hours_star;   /* hourly or finer: not moved by daylight-saving changes */
};

/* Room for any message cron_parse writes. */
#define CRON_ERROR_SIZE 160

/*
 * Parses text into out. False with a short message naming the field and what is wrong
 * ("hour: 24 is out of range 0-23", "expected 5 fields, got 4") in error.
 */
bool cron_parse(const char *text, struct cron_expr *out, char error[CRON_ERROR_SIZE]);

/*
 * The first instant strictly after `after` (epoch seconds) at which e fires in the IANA
 * zone `zone` ("Europe/Berlin"; NULL or "" for UTC), in epoch seconds, through *next.
 * False when no such instant exists within the next eight years (e.g. "0 0 31 4 *" cannot
 * happen — cron_parse already refuses that one — or a zone glibc cannot read, which it
 * treats as UTC).
 */
bool cron_next(const struct cron_expr *e, const char *zone, long long after, long long *next);

#endif
