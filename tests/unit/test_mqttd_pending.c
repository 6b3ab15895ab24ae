/*
 * test_mqttd_pending.c — the bounded telemetry queue, its grouping by device and
 * compaction (daemons/mqttd/domain/pending.c) and the log line budget
 * (daemons/mqttd/infrastructure/log_limit.c). The backoff is lib's: test_db_link.c.
 */
#include "domain/pending.h"
#include "infrastructure/log_limit.h"
#include "tap.h"

static bool push(struct pending *q, const char *id, long long at, const char *payload)
{
	return pending_push(q, DEVICE_REPORT_STATE, id, at, payload, strlen(payload));
}

/* "id@time" of every queued message, in order. */
static const char *contents(struct arena *a, const struct pending *q)
{
	struct buf b;
	buf_init(&b, a);
	for (size_t i = 0; i < q->ring.count; i++)
		buf_printf(&b, "%s%s@%lld", i ? " " : "", pending_at(q, i)->external_id, pending_at(q, i)->received_us);
	return b.data;
}

int main(void)
{
	struct arena *a = arena_new();
	struct pending q;

	pending_init(&q, 4, 1 << 20);
	/* ok() evaluates its condition twice: side effects happen before it. */
	bool pushed = push(&q, "a", 1, "{}") && push(&q, "b", 2, "{}") && push(&q, "a", 3, "{}") && push(&q, "c", 4, "{}");
	ok(pushed, "four pushed");
	pushed = push(&q, "d", 5, "{}");
	ok(!pushed, "the fifth is refused (count bound)");
	is_str(contents(a, &q), "a@1 b@2 a@3 c@4", "queued in order, nothing replaced");
	is_str(pending_at(&q, 0)->payload, "{}", "payload copied");
	ok(pending_has_device(&q, "c") && !pending_has_device(&q, "d"), "which devices have messages queued");

	struct pending_batch batch;
	pending_batch_oldest(a, &q, 3, &batch);
	ok(batch.ngroups == 2, "three oldest: two devices");
	ok(strcmp(batch.groups[0].external_id, "a") == 0 && batch.groups[0].n == 2 && batch.groups[0].messages[0]->received_us == 1 &&
		   batch.groups[0].messages[1]->received_us == 3,
	   "first device first, its messages in order");
	ok(pending_batch_find(&batch, "b") == &batch.groups[1] && pending_batch_find(&batch, "c") == NULL,
	   "lookup by external id (c is outside the batch)");

	pending_group_done(&batch.groups[1]);
	pending_compact(&q);
	is_str(contents(a, &q), "a@1 a@3 c@4", "compaction removes what was written, keeps the order");
	pending_drop(&q, 2);
	is_str(contents(a, &q), "c@4", "dropping the oldest");
	pushed = push(&q, "e", 6, "{}") && push(&q, "f", 7, "{}") && push(&q, "g", 8, "{}");
	ok(pushed, "the ring wraps around");
	is_str(contents(a, &q), "c@4 e@6 f@7 g@8", "wrapped contents in order");
	pending_free(&q);

	pending_init(&q, 1000, 400);
	char payload[101];
	memset(payload, 'x', 100);
	payload[100] = '\0';
	size_t n = 0;
	while (push(&q, "dev", (long long)n, payload))
		n++;
	ok(n >= 1 && n < 4 && q.bytes <= 400, "the byte bound refuses before it is exceeded");
	ok(q.ring.count == n, "what was refused was not queued");
	pending_free(&q);

	/* Many devices: grouping stays correct past the table's first size. */
	pending_init(&q, 10000, 1 << 24);
	for (int i = 0; i < 1000; i++) {
		char id[32];
		snprintf(id, sizeof id, "d%d", i % 300);
		push(&q, id, i, "{}");
	}
	pending_batch_oldest(a, &q, 1000, &batch);
	bool all = batch.ngroups == 300;
	for (size_t g = 0; g < batch.ngroups && all; g++) {
		char id[32];
		snprintf(id, sizeof id, "d%zu", g);
		struct pending_group *found = pending_batch_find(&batch, id);
		all = found == &batch.groups[g] && (found->n == 4 || found->n == 3);
		for (size_t i = 1; i < found->n && all; i++)
			all = found->messages[i]->received_us == found->messages[i - 1]->received_us + 300;
	}
	ok(all, "1000 messages of 300 devices grouped in order");
	pending_free(&q);

	struct log_limit limit = LOG_LIMIT(2);
	unsigned long long silenced = 99;
	bool first = log_limit_allow(&limit, 5000, &silenced);
	ok(first && silenced == 0, "first line of a second passes");
	bool second = log_limit_allow(&limit, 5100, &silenced);
	bool third = log_limit_allow(&limit, 5200, &silenced), fourth = log_limit_allow(&limit, 5900, &silenced);
	ok(second && !third && !fourth, "the budget of the second is two lines");
	bool next = log_limit_allow(&limit, 6000, &silenced);
	ok(next && silenced == 2, "the next second passes and reports the two held back");

	arena_destroy(a);
	return done();
}
