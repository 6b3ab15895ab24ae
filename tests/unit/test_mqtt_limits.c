/*
 * test_mqtt_limits.c — the bookkeeping behind the broker's limits (mosquitto/plugin/):
 * the hash table they share, which identity may use a client id, the devices' rate
 * budgets, and the bound on an absent daemon session's queue.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "client_ids.h"
#include "daemon_queue.h"
#include "rate_budget.h"
#include "strmap.h"
#include "tap.h"

static void test_strmap(void)
{
	struct strmap m;
	char key[32];
	strmap_init(&m);
	ok(strmap_get(&m, "a") == NULL, "an empty map finds nothing");
	for (intptr_t i = 1; i <= 1000; i++) {
		snprintf(key, sizeof key, "k%ld", (long)i);
		strmap_put(&m, key, (void *)i, NULL);
	}
	ok(m.count == 1000, "1000 keys stored");
	int found = 0;
	for (intptr_t i = 1; i <= 1000; i++) {
		snprintf(key, sizeof key, "k%ld", (long)i);
		found += strmap_get(&m, key) == (void *)i;
	}
	ok(found == 1000, "each key finds its value after the table grew");
	for (intptr_t i = 1; i <= 1000; i += 2) {
		snprintf(key, sizeof key, "k%ld", (long)i);
		strmap_remove(&m, key);
	}
	found = 0;
	int gone = 0;
	for (intptr_t i = 1; i <= 1000; i++) {
		snprintf(key, sizeof key, "k%ld", (long)i);
		if (i % 2)
			gone += strmap_get(&m, key) == NULL;
		else
			found += strmap_get(&m, key) == (void *)i;
	}
	ok(gone == 500 && found == 500 && m.count == 500, "removals keep the other keys reachable");
	int visited = 0;
	for (size_t i = 0; i < m.capacity; i++) {
		if (!m.slots[i].key)
			continue;
		visited++;
		if ((intptr_t)m.slots[i].value % 4 == 0)
			strmap_remove_at(&m, &i);
	}
	found = 0;
	for (intptr_t i = 2; i <= 1000; i += 2) {
		snprintf(key, sizeof key, "k%ld", (long)i);
		found += (strmap_get(&m, key) != NULL) == (i % 4 != 0);
	}
	ok(visited >= 500 && found == 500 && m.count == 250, "removing while iterating keeps the rest");
	void *old = NULL;
	strmap_put(&m, "k2", (void *)7, &old);
	ok(old == (void *)2 && strmap_get(&m, "k2") == (void *)7 && m.count == 250, "put replaces and returns the old value");
	strmap_free(&m, NULL);
}

static const char *claim(struct client_ids *c, const char *id, const char *user, const void *holder, bool persistent)
{
	const char *owner;
	const char *reason = client_ids_claim(c, id, user, holder, persistent, &owner);
	return reason ? reason : "ok";
}

static void test_client_ids(void)
{
	struct client_ids c;
	int a1, a2, b1, m1, m2, anon;
	client_ids_init(&c, "station-mqttd");

	is_str(claim(&c, "station-mqttd", "station-mqttd", &m1, true), "ok", "the daemons use their own name");
	is_str(claim(&c, "station-mqttd", "dev-a", &a1, false), "the daemons' client id",
	       "a device cannot take the daemons' client id");
	client_ids_release(&c, "station-mqttd", &m1);
	is_str(claim(&c, "station-mqttd", "dev-a", &a1, false), "the daemons' client id",
	       "nor while the daemon is away");
	is_str(claim(&c, "station-mqttd", NULL, &anon, false), "the daemons' client id", "nor can an anonymous client");
	is_str(claim(&c, "station-mqttd", "station-mqttd", &m2, true), "ok", "the daemon takes its session back");

	is_str(claim(&c, "dev-b", "dev-b", &b1, false), "ok", "a device uses its external id");
	is_str(claim(&c, "dev-b", "dev-a", &a1, false), "held by another identity",
	       "another device cannot take over that session");
	is_str(claim(&c, "esp32-0a0b0c", "dev-a", &a1, true), "ok", "a firmware client id is free at first");
	is_str(claim(&c, "esp32-0a0b0c", "dev-b", &b1, false), "held by another identity",
	       "then held by the device that used it");
	is_str(claim(&c, "esp32-0a0b0c", "dev-a", &a2, true), "ok", "the same device replaces its own session");
	client_ids_release(&c, "esp32-0a0b0c", &a1); /* the replaced connection ends */
	is_str(claim(&c, "esp32-0a0b0c", "dev-b", &b1, false), "held by another identity",
	       "the replaced connection's end does not free the id");
	client_ids_release(&c, "esp32-0a0b0c", &a2);
	is_str(claim(&c, "esp32-0a0b0c", "dev-b", &b1, false), "held by another identity",
	       "a persistent session keeps its id after its connection ends");

	is_str(claim(&c, "tmp-1", "dev-a", &a1, false), "ok", "a clean session holds an id");
	client_ids_release(&c, "tmp-1", &a1);
	is_str(claim(&c, "tmp-1", "dev-b", &b1, false), "ok", "until its connection ends");

	is_str(claim(&c, "dev-a", "dev-b", &b1, false), "ok", "an id nobody holds, even a device's name, is free");
	is_str(claim(&c, "dev-a", "dev-a", &a1, false), "ok", "but a device always gets its own name back");
	is_str(claim(&c, "legacy-1", NULL, &anon, false), "ok", "anonymous clients are one identity");
	is_str(claim(&c, "legacy-1", "dev-a", &a1, false), "held by another identity", "which holds its ids too");
	const char *owner = NULL;
	client_ids_claim(&c, "dev-b", "dev-a", &a1, false, &owner);
	is_str(owner, "dev-b", "a refusal names the holder");
	client_ids_free(&c);
}

static int reported_count;
static uint64_t reported_dropped;
static void on_report(const char *identity, uint64_t dropped, void *ctx)
{
	(void)identity;
	(void)ctx;
	reported_count++;
	reported_dropped += dropped;
}

static void test_rate_budget(void)
{
	struct rate_budget r;
	rate_budget_init(&r, 10, 20);
	int passed = 0;
	for (int i = 0; i < 100; i++)
		passed += rate_budget_take(&r, "dev-a", 1000);
	ok(passed == 20, "a burst passes up to the bucket size (%d)", passed);
	ok(rate_budget_take(&r, "dev-b", 1000), "another device's budget is untouched");
	passed = 0;
	for (int i = 0; i < 100; i++)
		passed += rate_budget_take(&r, "dev-a", 2000);
	ok(passed == 10, "a second later, rate messages more pass (%d)", passed);
	rate_budget_sweep(&r, 2000, on_report, NULL);
	ok(reported_count == 1 && reported_dropped == 170, "the drops are reported with their count (%d lines, %lu)",
	   reported_count, (unsigned long)reported_dropped);
	bool passed_again = rate_budget_take(&r, "dev-a", 2050); /* half a token since 2000 */
	ok(!passed_again, "an empty bucket refuses until a whole token is back");
	rate_budget_sweep(&r, 2500, on_report, NULL);
	ok(reported_count == 1, "at most one report a second");
	rate_budget_sweep(&r, 3000, on_report, NULL);
	ok(reported_count == 2 && reported_dropped == 171, "the next one a second later");
	rate_budget_sweep(&r, 10000, on_report, NULL);
	ok(r.buckets.count == 0, "full buckets with nothing to report are forgotten");
	rate_budget_free(&r);
}

static int queue_reports;
static uint64_t queue_dropped;
static void on_queue_report(const char *client_id, const struct daemon_absence *a, void *ctx)
{
	(void)client_id;
	(void)ctx;
	queue_reports++;
	queue_dropped = a->dropped;
}

static void test_daemon_queue(void)
{
	struct daemon_queue q;
	struct daemon_absence a;
	int m1, m2;
	daemon_queue_init(&q, 3, 1000);
	daemon_queue_connected(&q, "station-mqttd", &m1, &a);
	ok(daemon_queue_offer(&q, "station-mqttd", 10, 1) == DAEMON_QUEUE_PASS, "a connected daemon gets everything");
	daemon_queue_disconnected(&q, "station-mqttd", &m1, 5000);
	int kept = 0, dropped = 0;
	for (int i = 0; i < 5; i++) {
		enum daemon_queue_verdict v = daemon_queue_offer(&q, "station-mqttd", 10, 1);
		kept += v == DAEMON_QUEUE_KEEP;
		dropped += v == DAEMON_QUEUE_DROP;
	}
	ok(kept == 3 && dropped == 2, "away: kept up to the bound, then dropped");
	enum daemon_queue_verdict qos0 = daemon_queue_offer(&q, "station-mqttd", 10, 0);
	ok(qos0 == DAEMON_QUEUE_PASS, "QoS 0 is not ours to keep");
	daemon_queue_sweep(&q, 5100, on_queue_report, NULL);
	daemon_queue_sweep(&q, 5200, on_queue_report, NULL);
	ok(queue_reports == 1 && queue_dropped == 2, "the drops are reported once until more come");
	daemon_queue_offer(&q, "station-mqttd", 10, 1);
	daemon_queue_sweep(&q, 6000, on_queue_report, NULL);
	ok(queue_reports == 1, "more drops wait for the report interval");
	daemon_queue_sweep(&q, 5100 + DAEMON_QUEUE_REPORT_MS, on_queue_report, NULL);
	ok(queue_reports == 2 && queue_dropped == 3, "then the running count is reported");
	daemon_queue_connected(&q, "station-mqttd", &m2, &a);
	ok(a.since_ms == 5000 && a.queued == 3 && a.dropped == 3 && a.qos0_lost == 1,
	   "back: the absence is told (kept %lu, dropped %lu, qos0 %lu)", (unsigned long)a.queued,
	   (unsigned long)a.dropped, (unsigned long)a.qos0_lost);
	daemon_queue_disconnected(&q, "station-mqttd", &m1, 7000);
	ok(daemon_queue_offer(&q, "station-mqttd", 10, 1) == DAEMON_QUEUE_PASS,
	   "the end of a replaced connection does not make the daemon away");
	daemon_queue_disconnected(&q, "station-mqttd", &m2, 8000);
	ok(daemon_queue_offer(&q, "station-mqttd", 2000, 1) == DAEMON_QUEUE_DROP, "the byte bound counts too");
	ok(daemon_queue_offer(&q, "restored", 10, 1) == DAEMON_QUEUE_KEEP,
	   "a session restored at broker start is away until its daemon connects");
	daemon_queue_free(&q);
}

int main(void)
{
	test_strmap();
	test_client_ids();
	test_rate_budget();
	test_daemon_queue();
	return done();
}
