/*
 * timeutil.h — clocks and time formats shared by workers and daemons.
 */
#ifndef STATION_TIMEUTIL_H
#define STATION_TIMEUTIL_H

#include "arena.h"

/* Seconds since the epoch (wall clock). */
long long time_now(void);
/* Milliseconds of a monotonic clock, for timeouts and backoff. */
long long time_monotonic_ms(void);
/* "2026-11-28T05:13:23.123Z" for an epoch time in milliseconds. */
char *time_rfc3339_ms(struct arena *arena, long long epoch_ms);
/* Epoch milliseconds now (wall clock). */
long long time_now_ms(void);
/*
 * Parses an RFC 3339 timestamp (with Z or an offset, optional fraction) to epoch
 * milliseconds; returns 0 on success, -1 when s is not such a timestamp.
 */
int time_parse_rfc3339(const char *s, long long *epoch_ms);

#endif
