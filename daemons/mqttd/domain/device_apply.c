/*
 * device_apply.c — applying one device's messages in order (see device_apply.h).
 *
 * Facts are appended to an arena vector; a device that receives thousands of messages
 * in one batch is bounded by the batch size (mqtt.batch_max), not here. No I/O.
 */
#include "domain/device_apply.h"

#include <string.h>

#include "domain/state_merge.h"

struct facts {
	struct arena *arena;
	struct device_fact *items;
	size_t n, cap;
};

static struct device_fact *fact_add(struct facts *f, enum device_fact_kind kind, long long at_us)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct device_fact *items = arena_alloc(f->arena, cap * sizeof *items);
		if (f->n)
			memcpy(items, f->items, f->n * sizeof *items);
		f->items = items;
		f->cap = cap;
	}
	struct device_fact *fact = &f->items[f->n++];
	memset(fact, 0, sizeof *fact);
	fact->kind = kind;
	fact->at_us = at_us;
	return fact;
}

bool device_status_fact(const char *current, const char *next, const char *reason, long long at_us,
			struct device_fact *out)
{
	if (current && strcmp(current, next) == 0)
		return false;
	memset(out, 0, sizeof *out);
	out->kind = DEVICE_FACT_STATUS_CHANGED;
	out->at_us = at_us;
	out->status = next;
	out->previous_status = current;
	out->reason = reason;
	return true;
}

/* Moves the running status to next, recording the change. */
static void set_status(struct facts *f, const char **status, const char *next, const char *reason, long long at_us)
{
	struct device_fact fact;
	if (!device_status_fact(*status, next, reason, at_us, &fact))
		return;
	*fact_add(f, fact.kind, at_us) = fact;
	*status = next;
}

void device_apply(struct arena *arena, struct device_snapshot *dev, const struct device_report *reports,
		  size_t n, size_t state_max_bytes, struct device_outcome *out)
{
	struct facts f = { .arena = arena };
	const char *status = dev->status;
	memset(out, 0, sizeof *out);

	for (size_t i = 0; i < n; i++) {
		const struct device_report *r = &reports[i];
		switch (r->kind) {
		case DEVICE_REPORT_STATE: {
			struct state_merge_result merge;
			state_merge(arena, dev->state, r->state, dev->capabilities, state_max_bytes, &merge);
			if (merge.rejected) {
				out->rejected++;
				break;
			}
			out->last_seen_us = r->received_us;
			set_status(&f, &status, "online", "state", r->received_us);
			if (merge.changed) {
				out->state_changed = true;
				out->state_at_us = r->received_us;
			}
			for (size_t t = 0; t < merge.ntransitions; t++) {
				struct device_fact *fact = fact_add(&f, DEVICE_FACT_STATE_TRANSITION, r->received_us);
				fact->key = merge.transitions[t].key;
				fact->old_value = merge.transitions[t].old_value;
				fact->new_value = merge.transitions[t].new_value;
			}
			break;
		}
		case DEVICE_REPORT_EVENT: {
			out->last_seen_us = r->received_us;
			set_status(&f, &status, "online", "event", r->received_us);
			struct device_fact *fact = fact_add(&f, DEVICE_FACT_EVENT_RECEIVED, r->received_us);
			fact->event = r->event;
			fact->action = r->action;
			fact->data = r->data;
			fact->payload = r->payload;
			break;
		}
		case DEVICE_REPORT_HEARTBEAT:
			if (r->online) {
				out->last_seen_us = r->received_us;
				out->last_heartbeat_us = r->received_us;
				set_status(&f, &status, "online", "heartbeat", r->received_us);
			} else {
				set_status(&f, &status, "offline", "last_will", r->received_us);
			}
			break;
		}
	}
	out->status = status;
	out->status_changed = !dev->status || strcmp(status, dev->status) != 0;
	out->nfacts = f.n;
	out->facts = f.items;
}
