/*
 * backoff.c — capped exponential backoff with jitter (see backoff.h). No I/O.
 */
#include "backoff.h"

#include <stdlib.h>

void backoff_init(struct backoff *b, long first_ms, long max_ms)
{
	b->first_ms = first_ms > 0 ? first_ms : 1;
	b->max_ms = max_ms >= b->first_ms ? max_ms : b->first_ms;
	b->current_ms = 0;
}

long backoff_next(struct backoff *b, double jitter)
{
	if (b->current_ms == 0)
		b->current_ms = b->first_ms;
	else if (b->current_ms < b->max_ms)
		b->current_ms = b->current_ms > b->max_ms / 2 ? b->max_ms : b->current_ms * 2;
	if (jitter < 0)
		jitter = 0;
	if (jitter >= 1)
		jitter = 0.999;
	long delay = (long)((double)b->current_ms * (0.8 + 0.4 * jitter));
	if (delay > b->max_ms)
		delay = b->max_ms;
	return delay > 0 ? delay : 1;
}

void backoff_reset(struct backoff *b)
{
	b->current_ms = 0;
}

double backoff_jitter(void)
{
	return (double)rand() / ((double)RAND_MAX + 1.0);
}
