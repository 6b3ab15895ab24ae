/*
 * cron_expr.c — parsing five-field cron expressions into bit sets, and finding the next
 * instant one fires in a named time zone (see cron_expr.h for the syntax and the
 * daylight-saving rule).
 *
 * The next instant is found on the local calendar: walk the local dates from the one of
 * `after`, and on each date whose month and day match, turn each matching local
 * hour:minute into the instants that carry it (none in a spring-forward gap, two in a
 * fall-back overlap, one otherwise) with mktime and a round trip through localtime. The
 * smallest instant after `after` wins. Nothing here allocates or does I/O beyond glibc
 * reading the zone file.
 */
#include "cron_expr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The longest expression accepted; real ones are a few dozen bytes. */
#define CRON_TEXT_MAX 256
/* How far ahead cron_next looks before saying "never". */
#define CRON_SEARCH_DAYS (8 * 366 + 2)

struct cron_field {
	const char *name;
	int min, max;
	const char *const *names; /* three-letter names, names[0] is min */
	int name_count;
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
					  "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static const struct cron_field fields[5] = {
	{"minute", 0, 59, NULL, 0},
	{"hour", 0, 23, NULL, 0},
	{"day-of-month", 1, 31, NULL, 0},
	{"month", 1, 12, month_names, 12},
	{"day-of-week", 0, 7, weekday_names, 7},
};

static const struct {
	const char *name, *expansion;
} shortcuts[] = {
	{"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
	{"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
	{"@hourly", "0 * * * *"},
};

/* Reads a number or a name at *p into *value; false with the error written. */
static bool parse_value(const struct cron_field *f, const char **p, int *value, char *error)
{
	const char *s = *p;
	if (isdigit((unsigned char)*s)) {
		long v = 0;
		while (isdigit((unsigned char)*s)) {
			if (v < 1000)
				v = v * 10 + (*s - '0');
			s++;
		}
		if (v < f->min || v > f->max) {
			snprintf(error, CRON_ERROR_SIZE, "%s: %ld is out of range %d-%d", f->name, v, f->min, f->max);
			return false;
		}
		*value = (int)v;
		*p = s;
		return true;
	}
	if (isalpha((unsigned char)*s)) {
		char word[8];
		size_t n = 0;
		while (isalpha((unsigned char)s[n]) && n < sizeof word - 1) {
			word[n] = (char)tolower((unsigned char)s[n]);
			n++;
		}
		word[n] = '\0';
		for (int i = 0; i < f->name_count; i++) {
			if (strcmp(word, f->names[i]) == 0 && !isalpha((unsigned char)s[n])) {
				*value = f->min + i;
				*p = s + n;
				return true;
			}
		}
		snprintf(error, CRON_ERROR_SIZE, "%s: unknown name '%s'", f->name, word);
		return false;
	}
	if (*s == '\0' || *s == ',')
		snprintf(error, CRON_ERROR_SIZE, "%s: empty list item", f->name);
	else
		snprintf(error, CRON_ERROR_SIZE, "%s: unexpected '%c'", f->name, *s);
	return false;
}

/* Parses one field's text (a NUL-terminated word) into bits. */
static bool parse_field(const struct cron_field *f, const char *text, uint64_t *bits, char *error)
{
	const char *p = text;
	*bits = 0;
	for (;;) {
		int lo, hi, step = 1;
		bool star = false;
		if (*p == '*') {
			star = true;
			lo = f->min;
			hi = f->max;
			p++;
		} else {
			if (!parse_value(f, &p, &lo, error))
				return false;
			hi = lo;
			if (*p == '-') {
				p++;
				if (!parse_value(f, &p, &hi, error))
					return false;
				if (hi < lo) {
					snprintf(error, CRON_ERROR_SIZE, "%s: range %d-%d is reversed", f->name, lo, hi);
					return false;
				}
			}
		}
		if (*p == '/') {
			p++;
			if (!isdigit((unsigned char)*p)) {
				snprintf(error, CRON_ERROR_SIZE, "%s: step must be a number", f->name);
				return false;
			}
			long v = 0;
			while (isdigit((unsigned char)*p)) {
				if (v < 1000)
					v = v * 10 + (*p - '0');
				p++;
			}
			if (v < 1) {
				snprintf(error, CRON_ERROR_SIZE, "%s: step must be 1 or more", f->name);
				return false;
			}
			step = (int)v;
			if (!star && hi == lo)
				hi = f->max; /* "a/n": from a to the end of the field */
		}
		for (int v = lo; v <= hi; v += step)
			*bits |= 1ULL << v;
		if (*p == '\0')
			return true;
		if (*p != ',') {
			snprintf(error, CRON_ERROR_SIZE, "%s: unexpected '%c'", f->name, *p);
			return false;
		}
		p++;
	}
}

static int days_in_month(int month, int year)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		return 29;
	return days[month - 1];
}

bool cron_parse(const char *text, struct cron_expr *out, char error[CRON_ERROR_SIZE])
{
	memset(out, 0, sizeof *out);
	error[0] = '\0';
	if (text == NULL || strlen(text) > CRON_TEXT_MAX) {
		snprintf(error, CRON_ERROR_SIZE, "expression is longer than %d characters", CRON_TEXT_MAX);
		return false;
	}
	while (isspace((unsigned char)*text))
		text++;
	if (*text == '@') {
		size_t n = strcspn(text, " \t\r\n");
		for (size_t i = 0; i < sizeof shortcuts / sizeof shortcuts[0]; i++)
			if (strlen(shortcuts[i].name) == n && strncmp(text, shortcuts[i].name, n) == 0 &&
			    text[n + strspn(text + n, " \t\r\n")] == '\0')
				return cron_parse(shortcuts[i].expansion, out, error);
		snprintf(error, CRON_ERROR_SIZE, "unknown shortcut '%.*s'", (int)(n > 20 ? 20 : n), text);
		return false;
	}

	char copy[CRON_TEXT_MAX + 1];
	snprintf(copy, sizeof copy, "%s", text);
	char *words[6];
	int count = 0;
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (count < 6)
			words[count] = w;
		count++;
	}
	if (count != 5) {
		snprintf(error, CRON_ERROR_SIZE, "expected 5 fields (minute hour day-of-month month day-of-week), got %d",
			 count);
		return false;
	}
	uint64_t bits[5];
	for (int i = 0; i < 5; i++)
		if (!parse_field(&fields[i], words[i], &bits[i], error))
			return false;
	out->minutes = bits[0];
	out->hours = (uint32_t)bits[1];
	out->days = (uint32_t)bits[2];
	out->months = (uint16_t)bits[3];
	out->weekdays = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f); /* 7 is Sunday too */
	out->hours_star = words[1][0] == '*';
	out->days_star = words[2][0] == '*';
	out->weekdays_star = words[4][0] == '*';

	/* With the day of the week unrestricted, the days of the month alone decide: refuse
	 * a combination that never happens ("0 0 30 2 *"). */
	if (out->weekdays_star) {
		bool possible = false;
		for (int m = 1; m <= 12 && !possible; m++)
			for (int d = 1; d <= days_in_month(m, 2000) && !possible; d++)
				possible = (out->months >> m & 1) && (out->days >> d & 1);
		if (!possible) {
			snprintf(error, CRON_ERROR_SIZE, "day-of-month: %s never falls in month %s", words[2], words[3]);
			return false;
		}
	}
	return true;
}

/* --- evaluation ------------------------------------------------------------------------ */

/* The local wall-clock minute of t, counted like epoch minutes (comparable across dates). */
static long long local_minute(time_t t)
{
	struct tm lt;
	localtime_r(&t, &lt);
	return (long long)timegm(&lt) / 60;
}

/* The instants (0, 1 or 2, ascending) whose local time is y-mo-d h:m, by the DST rule. */
static int resolve_local(const struct cron_expr *e, int y, int mo, int d, int h, int m, time_t out[2])
{
	int n = 0;
	for (int isdst = 0; isdst <= 1; isdst++) {
		struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = m,
				.tm_isdst = isdst};
		time_t t = mktime(&tm);
		struct tm lt;
		if (!localtime_r(&t, &lt) || lt.tm_year != y - 1900 || lt.tm_mon != mo - 1 || lt.tm_mday != d ||
		    lt.tm_hour != h || lt.tm_min != m)
			continue;
		if (n == 1 && out[0] == t)
			continue;
		out[n++] = t;
	}
	if (n == 2 && out[1] < out[0]) {
		time_t swap = out[0];
		out[0] = out[1];
		out[1] = swap;
	}
	if (n == 2 && !e->hours_star)
		n = 1; /* fall back: a fixed time fires at its first occurrence only */
	if (n > 0 || e->hours_star)
		return n;
	/* Spring forward: the first minute whose local time is past the missing one. Local
	 * time rises with the instant near a gap, so a binary search finds it. */
	struct tm want = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = m};
	long long target = (long long)timegm(&want) / 60;
	long long lo = target - 15 * 60, hi = target + 15 * 60; /* in epoch minutes */
	while (lo < hi) {
		long long mid = lo + (hi - lo) / 2;
		if (local_minute((time_t)(mid * 60)) >= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	out[0] = (time_t)(lo * 60);
	return 1;
}

static bool day_matches(const struct cron_expr *e, int day, int weekday)
{
	bool by_day = e->days >> day & 1, by_weekday = e->weekdays >> weekday & 1;
	if (e->days_star || e->weekdays_star)
		return by_day && by_weekday;
	return by_day || by_weekday;
}

static bool find_next(const struct cron_expr *e, long long after, long long *next)
{
	time_t a = (time_t)after;
	struct tm start;
	if (!localtime_r(&a, &start))
		return false;
	bool found = false;
	time_t best = 0;
	/* From the day before (a fall-back night may reach back), date by date. */
	for (int i = -1; i < CRON_SEARCH_DAYS; i++) {
		struct tm date = {.tm_year = start.tm_year, .tm_mon = start.tm_mon, .tm_mday = start.tm_mday + i,
				  .tm_hour = 12};
		time_t noon = timegm(&date); /* normalises the date, sets the weekday */
		gmtime_r(&noon, &date);
		/* Local midnight of this date is no earlier than 14 hours before its UTC midnight. */
		if (found && noon - 12 * 3600 - 14 * 3600 > best)
			break;
		int y = date.tm_year + 1900, mo = date.tm_mon + 1, d = date.tm_mday;
		if (!(e->months >> mo & 1) || !day_matches(e, d, date.tm_wday))
			continue;
		for (int h = 0; h < 24; h++) {
			if (!(e->hours >> h & 1))
				continue;
			for (int m = 0; m < 60; m++) {
				if (!(e->minutes >> m & 1))
					continue;
				time_t t[2];
				int n = resolve_local(e, y, mo, d, h, m, t);
				for (int k = 0; k < n; k++)
					if ((long long)t[k] > after && (!found || t[k] < best)) {
						best = t[k];
						found = true;
					}
				/* Later local times cannot come more than a DST shift earlier. */
				if (found && n > 0 && t[0] > best + 3 * 3600)
					goto done;
			}
		}
	}
done:
	if (found)
		*next = (long long)best;
	return found;
}

bool cron_next(const struct cron_expr *e, const char *zone, long long after, long long *next)
{
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	setenv("TZ", zone && *zone ? zone : "UTC", 1);
	tzset();
	bool found = find_next(e, after, next);
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	return found;
}
