/*
 * backoff.h — the pause before the next reconnection attempt: doubling from a first
 * delay up to a cap, with ±20 % jitter so a fleet of daemons does not retry in step.
 * Used for the broker and the database; it is why an outage never makes mqttd spin.
 * Pure apart from the jitter source, which the caller passes in.
 */
#ifndef MQTTD_BACKOFF_H
#define MQTTD_BACKOFF_H

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

#endif
