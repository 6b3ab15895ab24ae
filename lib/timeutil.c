/*
 * timeutil.c — clocks and RFC 3339 formatting/parsing (see timeutil.h).
 */
#include "timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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

long long time_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *time_rfc3339_ms(struct arena *arena, long long epoch_ms)
{
	time_t secs = (time_t)(epoch_ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	return arena_printf(arena, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(epoch_ms % 1000));
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
