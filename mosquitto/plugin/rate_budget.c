/*
 * rate_budget.c — a token bucket per identity (see rate_budget.h). Buckets are created on
 * an identity's first message and forgotten by the sweep once full again, so the table
 * holds only the identities active in the last burst/rate seconds.
 */
#include "rate_budget.h"

#include <stdlib.h>

struct rate_bucket {
	double tokens;
	int64_t at_ms;        /* when tokens was last brought up to date */
	int64_t reported_ms;  /* the last report; 0: never */
	uint64_t dropped;     /* not yet reported */
};

void rate_budget_init(struct rate_budget *r, unsigned rate, unsigned burst)
{
	strmap_init(&r->buckets);
	r->rate = rate;
	r->burst = burst;
	r->unreported = 0;
}

void rate_budget_free(struct rate_budget *r)
{
	strmap_free(&r->buckets, free);
}

static void refill(const struct rate_budget *r, struct rate_bucket *b, int64_t now_ms)
{
	if (now_ms > b->at_ms) {
		b->tokens += r->rate * (double)(now_ms - b->at_ms) / 1000.0;
		if (b->tokens > r->burst)
			b->tokens = r->burst;
		b->at_ms = now_ms;
	}
}

bool rate_budget_take(struct rate_budget *r, const char *identity, int64_t now_ms)
{
	struct rate_bucket *b = strmap_get(&r->buckets, identity);
	if (!b) {
		if (!(b = malloc(sizeof *b)))
			return true;
		*b = (struct rate_bucket){ .tokens = r->burst, .at_ms = now_ms };
		if (strmap_put(&r->buckets, identity, b, NULL) != 0) {
			free(b);
			return true;
		}
	}
	refill(r, b, now_ms);
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return true;
	}
	if (b->dropped++ == 0)
		r->unreported++;
	return false;
}

void rate_budget_sweep(struct rate_budget *r, int64_t now_ms,
		       void (*report)(const char *identity, uint64_t dropped, void *ctx), void *ctx)
{
	int reports = 0;
	for (size_t i = 0; i < r->buckets.capacity; i++) {
		struct strmap_slot *s = &r->buckets.slots[i];
		if (!s->key)
			continue;
		struct rate_bucket *b = s->value;
		if (b->dropped && reports < RATE_BUDGET_REPORTS_PER_SWEEP &&
		    (b->reported_ms == 0 || now_ms - b->reported_ms >= RATE_BUDGET_REPORT_MS)) {
			report(s->key, b->dropped, ctx);
			b->dropped = 0;
			b->reported_ms = now_ms;
			r->unreported--;
			reports++;
		}
		refill(r, b, now_ms);
		if (!b->dropped && b->tokens >= r->burst &&
		    (b->reported_ms == 0 || now_ms - b->reported_ms >= RATE_BUDGET_REPORT_MS))
			free(strmap_remove_at(&r->buckets, &i));
	}
}
