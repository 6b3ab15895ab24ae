/*
 * timeutil.h — clocks and time formats shared by workers and daemons.
 */
#ifndef STATION_TIMEUTIL_H
#define STATION_TIMEUTIL_H

#include <stdbool.h>

#include "arena.h"

/* Seconds since the epoch (wall clock). */
long long time_now(void);
/* Milliseconds of a monotonic clock, for timeouts and backoff. */
long long time_monotonic_ms(void);
/* The sooner of two poll timeouts in ms, where -1 means none. */
long time_sooner_ms(long a, long b);
/* The size of the longest text time_format_rfc3339 writes, "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". */
#define TIME_RFC3339_SIZE 28
/*
 * Writes epoch_us as RFC 3339 UTC with `decimals` (3: milliseconds, 6: microseconds)
 * digits after the second, cut towards the past: "2026-11-28T05:13:23.123Z". False, with
 * out "", outside the years 0001 to 9999 or for another number of decimals.
 */
bool time_format_rfc3339(char out[TIME_RFC3339_SIZE], long long epoch_us, int decimals);
/* time_format_rfc3339 in the arena: "2026-11-28T05:13:23.123Z" for epoch milliseconds,
 * "2026-11-28T05:13:23.123456Z" for epoch microseconds; NULL outside years 0001–9999. */
char *time_rfc3339_ms(struct arena *arena, long long epoch_ms);
char *time_rfc3339_us(struct arena *arena, long long epoch_us);
/* Epoch milliseconds now (wall clock). */
long long time_now_ms(void);
/*
 * Parses an RFC 3339 timestamp (with Z or an offset, optional fraction) to epoch
 * milliseconds; returns 0 on success, -1 when s is not such a timestamp.
 */
int time_parse_rfc3339(const char *s, long long *epoch_ms);

#endif
