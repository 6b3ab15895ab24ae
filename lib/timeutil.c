/*
 * timeutil.c — clocks and RFC 3339 formatting/parsing (see timeutil.h).
 *
 * time_format_rfc3339 is the station's only writer of timestamps: logs, push messages,
 * device events and cursors all come through it, so every program prints time the same
 * way (UTC, "Z", fixed decimals, floor before 1970). It must never depend on the local
 * time zone or allocate.
 */
#include "timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decimal.h"

long long time_now(void)
{
	return (long long)time(NULL);
}

long long time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long time_sooner_ms(long a, long b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

long long time_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z in epoch microseconds. */
#define RFC3339_MIN_US (-62135596800000000LL)
#define RFC3339_MAX_US 253402300799999999LL

bool time_format_rfc3339(char out[TIME_RFC3339_SIZE], long long epoch_us, int decimals)
{
	out[0] = '\0';
	if (epoch_us < RFC3339_MIN_US || epoch_us > RFC3339_MAX_US || (decimals != 3 && decimals != 6))
		return false;
	long long secs = epoch_us / 1000000, us = epoch_us % 1000000;
	if (us < 0) { /* floor, not truncation, before 1970 */
		us += 1000000;
		secs--;
	}
	time_t t = (time_t)secs;
	struct tm tm;
	if ((long long)t != secs || !gmtime_r(&t, &tm)) /* a 32-bit time_t cannot say it */
		return false;
	/* "YYYY-MM-DDTHH:MM:SS." then the decimals and "Z", digit by digit (no printf per value). */
	memcpy(out, "0000-00-00T00:00:00.", 20);
	decimal_fixed(out, (unsigned long long)(tm.tm_year + 1900), 4);
	decimal_fixed(out + 5, (unsigned long long)(tm.tm_mon + 1), 2);
	decimal_fixed(out + 8, (unsigned long long)tm.tm_mday, 2);
	decimal_fixed(out + 11, (unsigned long long)tm.tm_hour, 2);
	decimal_fixed(out + 14, (unsigned long long)tm.tm_min, 2);
	decimal_fixed(out + 17, (unsigned long long)tm.tm_sec, 2);
	decimal_fixed(out + 20, (unsigned long long)(decimals == 3 ? us / 1000 : us), decimals);
	out[20 + decimals] = 'Z';
	out[21 + decimals] = '\0';
	return true;
}

char *time_rfc3339_ms(struct arena *arena, long long epoch_ms)
{
	char text[TIME_RFC3339_SIZE];
	if (epoch_ms < RFC3339_MIN_US / 1000 || epoch_ms > RFC3339_MAX_US / 1000 ||
	    !time_format_rfc3339(text, epoch_ms * 1000, 3))
		return NULL;
	return arena_strdup(arena, text);
}

char *time_rfc3339_us(struct arena *arena, long long epoch_us)
{
	char text[TIME_RFC3339_SIZE];
	return time_format_rfc3339(text, epoch_us, 6) ? arena_strdup(arena, text) : NULL;
}

int time_parse_rfc3339(const char *s, long long *epoch_ms)
{
	int year, mon, day, hour, min, sec, consumed = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &mon, &day, &hour, &min, &sec, &consumed) != 6 ||
	    consumed != 19)
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return -1;
	const char *p = s + 19;
	long long ms = 0;
	if (*p == '.') {
		int digits = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
			digits++;
			p++;
		}
		if (digits == 0)
			return -1;
		while (digits++ < 3)
			ms *= 10;
	}
	long long offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om, n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5)
			return -1;
		offset = (oh * 60LL + om) * 60 * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	/* A leap second (:60, RFC 3339) is counted as the next second: POSIX time has none.
	 * It is added after the day check, which it would otherwise carry into the next day. */
	struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
			 .tm_hour = hour, .tm_min = min, .tm_sec = sec == 60 ? 59 : sec };
	time_t secs = timegm(&tm);
	struct tm check;
	gmtime_r(&secs, &check);
	if (check.tm_mday != day || check.tm_mon != mon - 1) /* 2026-02-31 does not exist */
		return -1;
	*epoch_ms = ((long long)secs + (sec == 60) - offset) * 1000 + ms;
	return 0;
}
