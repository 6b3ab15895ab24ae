/*
 * rate_budget.h — how many messages each device may publish: a token bucket per identity
 * (rate messages a second, up to burst at once). A message over the budget is dropped
 * and counted, and the counts are reported at most once a second per identity, so a
 * flooding device costs the broker a hash lookup per message and the log a line a
 * second — and takes nothing from the other devices' budgets (docs/mqtt.md, "Limits").
 *
 * Pure: the caller passes the time (monotonic milliseconds) and does the logging.
 */
#ifndef STATION_MQTT_RATE_BUDGET_H
#define STATION_MQTT_RATE_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include "strmap.h"

#define RATE_BUDGET_REPORT_MS 1000 /* at most one report per identity this often */
#define RATE_BUDGET_REPORTS_PER_SWEEP 20 /* the others wait for a later sweep, counts kept */

struct rate_budget {
	struct strmap buckets; /* identity → struct rate_bucket */
	double rate;           /* messages a second */
	double burst;          /* bucket size */
	uint64_t unreported;   /* identities with drops not yet reported */
};

void rate_budget_init(struct rate_budget *r, unsigned rate, unsigned burst);
void rate_budget_free(struct rate_budget *r);

/*
 * One message of `identity` at now_ms: true when within its budget. false: dropped and
 * counted. An identity the table cannot hold (out of memory) is let through.
 */
bool rate_budget_take(struct rate_budget *r, const char *identity, int64_t now_ms);

/*
 * Calls report(identity, dropped, ctx) for identities with unreported drops whose last
 * report is at least RATE_BUDGET_REPORT_MS old (at most RATE_BUDGET_REPORTS_PER_SWEEP of
 * them), and forgets buckets that are full again and have nothing to report.
 */
void rate_budget_sweep(struct rate_budget *r, int64_t now_ms,
		       void (*report)(const char *identity, uint64_t dropped, void *ctx), void *ctx);

#endif
