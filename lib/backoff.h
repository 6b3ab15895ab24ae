/*
 * backoff.h — the pause before the next reconnection attempt: doubling from a first
 * delay up to a cap, with ±20 % jitter so a fleet of daemons does not retry in step.
 * The one backoff of the station: mqttd's broker session and every daemon's database
 * connection (db_link.h) use it; it is why an outage never makes a daemon spin.
 * Pure: the jitter source is the caller's (backoff_jitter() is the usual one).
 */
#ifndef STATION_BACKOFF_H
#define STATION_BACKOFF_H

struct backoff {
	long first_ms;
	long max_ms;
	long current_ms; /* 0 before the first failure */
};

void backoff_init(struct backoff *b, long first_ms, long max_ms);
/* The delay before the next attempt, doubling every call; jitter in [0, 1). */
long backoff_next(struct backoff *b, double jitter);
/* After a success: the next failure starts again from first_ms. */
void backoff_reset(struct backoff *b);
/* A jitter value in [0, 1) from rand(): callers seed it once at start. */
double backoff_jitter(void);

#endif
