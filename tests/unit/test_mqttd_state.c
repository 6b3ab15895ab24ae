/*
 * test_mqttd_state.c — state merging, transition detection and the in-order application
 * of a device's messages (daemons/mqttd/domain/state_merge.c, device_apply.c).
 */
#include "domain/device_apply.h"
#include "domain/state_merge.h"
#include "json_reader.h"
#include "tap.h"

#define LIGHT_CAPS "[{\"key\":\"on\",\"type\":\"boolean\"},{\"key\":\"brightness\",\"type\":\"number\",\"min\":0,\"max\":100}]"

static struct json_object *parse(struct arena *a, const char *json)
{
	const char *error = NULL;
	struct json_object *v = json_parse(a, json, strlen(json), 32, &error);
	if (!v)
		printf("# cannot parse %s: %s\n", json, error);
	return v;
}

/* Merges delta into state; returns "merged state | changed | transitions" or "rejected". */
static const char *merge(struct arena *a, const char *state_json, const char *delta_json, size_t max)
{
	struct json_object *state = parse(a, state_json);
	struct state_merge_result r;
	state_merge(a, state, parse(a, delta_json), parse(a, LIGHT_CAPS), max, &r);
	if (r.rejected)
		return arena_printf(a, "rejected %s", json_text(a, state));
	struct buf b;
	buf_init(&b, a);
	buf_printf(&b, "%s|%s|", json_text(a, state), r.changed ? "changed" : "same");
	for (size_t i = 0; i < r.ntransitions; i++)
		buf_printf(&b, "%s%s:%d>%d", i ? "," : "", r.transitions[i].key, r.transitions[i].old_value,
			   r.transitions[i].new_value);
	return b.data;
}

static struct device_report state_report(struct arena *a, long long at, const char *json)
{
	return (struct device_report){ .kind = DEVICE_REPORT_STATE, .received_us = at, .state = parse(a, json) };
}

static struct device_report heartbeat_report(long long at, bool online)
{
	return (struct device_report){ .kind = DEVICE_REPORT_HEARTBEAT, .received_us = at, .online = online };
}

static struct device_report event_report(struct arena *a, long long at, const char *action)
{
	struct json_object *payload =
		parse(a, arena_printf(a, "{\"event\":\"user_event\",\"data\":{\"action\":\"%s\"}}", action));
	return (struct device_report){ .kind = DEVICE_REPORT_EVENT, .received_us = at, .event = "user_event",
				       .action = action, .payload = payload, .data = json_get_object(payload, "data") };
}

/* The facts of an outcome as one line. */
static const char *facts(struct arena *a, const struct device_outcome *o)
{
	struct buf b;
	buf_init(&b, a);
	for (size_t i = 0; i < o->nfacts; i++) {
		const struct device_fact *f = &o->facts[i];
		if (i)
			buf_puts(&b, " ");
		switch (f->kind) {
		case DEVICE_FACT_STATUS_CHANGED:
			buf_printf(&b, "%lld:status:%s>%s(%s)", f->at_us, f->previous_status, f->status, f->reason);
			break;
		case DEVICE_FACT_STATE_TRANSITION:
			buf_printf(&b, "%lld:%s:%d>%d", f->at_us, f->key, f->old_value, f->new_value);
			break;
		case DEVICE_FACT_EVENT_RECEIVED:
			buf_printf(&b, "%lld:event:%s", f->at_us, f->action);
			break;
		}
	}
	return b.data;
}

int main(void)
{
	struct arena *a = arena_new();

	is_str(merge(a, "{\"on\":false,\"brightness\":10}", "{\"brightness\":75}", 1000),
	       "{\"on\":false,\"brightness\":75}|changed|", "a partial report merges key by key");
	is_str(merge(a, "{\"on\":false}", "{\"on\":true}", 1000), "{\"on\":true}|changed|on:0>1", "a boolean capability flip is a transition");
	is_str(merge(a, "{\"on\":true}", "{\"on\":true}", 1000), "{\"on\":true}|same|", "the same value is no change");
	is_str(merge(a, "{}", "{\"on\":true}", 1000), "{\"on\":true}|changed|", "no transition from an absent value");
	is_str(merge(a, "{\"on\":null}", "{\"on\":true}", 1000), "{\"on\":true}|changed|", "no transition from null");
	is_str(merge(a, "{\"on\":1}", "{\"on\":true}", 1000), "{\"on\":true}|changed|", "no transition from a number");
	is_str(merge(a, "{\"motion\":false}", "{\"motion\":true}", 1000), "{\"motion\":true}|changed|",
	       "no transition for a key the type does not declare boolean");
	is_str(merge(a, "{\"brightness\":5}", "{\"brightness\":5.0}", 1000), "{\"brightness\":5.0}|same|", "5 and 5.0 are the same value");
	is_str(merge(a, "{\"a\":1}", "{\"a\":null}", 1000), "{\"a\":null}|changed|", "null is stored, not removed");
	is_str(merge(a, "{\"a\":{\"x\":1}}", "{\"a\":{\"y\":2}}", 1000), "{\"a\":{\"y\":2}}|changed|", "nested values are replaced, not merged");
	is_str(merge(a, "{\"on\":false,\"brightness\":10}", "{\"brightness\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"on\":true,\"new\":1}", 40),
	       "rejected {\"on\":false,\"brightness\":10}", "a merge over the size bound leaves the state exactly as it was");
	is_str(merge(a, "{\"on\":false}", "{\"on\":true}", 11), "{\"on\":true}|changed|on:0>1", "exactly at the bound is accepted");

	struct json_object *caps = parse(a, LIGHT_CAPS);
	ok(capability_is_boolean(caps, "on") && !capability_is_boolean(caps, "brightness") && !capability_is_boolean(caps, "x") &&
		   !capability_is_boolean(NULL, "on"),
	   "boolean capabilities come from the type");

	/* A burst from one light, coalesced in order. */
	struct device_snapshot light = { .id = "id-1", .name = "Hall", .type = "light", .status = "online",
					 .state = parse(a, "{\"on\":false,\"brightness\":100}"), .capabilities = caps };
	struct device_report burst[] = {
		state_report(a, 1000, "{\"on\":true}"),
		state_report(a, 1010, "{\"brightness\":40}"),
		state_report(a, 1020, "{\"on\":false}"),
		event_report(a, 1030, "turned_off"),
		heartbeat_report(1040, true),
	};
	struct device_outcome o;
	device_apply(a, &light, burst, 5, 1000, &o);
	is_str(json_text(a, light.state), "{\"on\":false,\"brightness\":40}", "burst: merged state");
	is_str(facts(a, &o), "1000:on:0>1 1020:on:1>0 1030:event:turned_off", "burst: transitions and event in order");
	ok(o.state_changed && o.state_at_us == 1020 && o.last_seen_us == 1040 && o.last_heartbeat_us == 1040 &&
		   !o.status_changed && strcmp(o.status, "online") == 0,
	   "burst: times, status unchanged");

	/* A device offline that reports state comes online; its Last Will takes it offline. */
	struct device_snapshot pir = { .id = "id-2", .name = "Pir", .type = "pir", .status = "offline",
				       .state = parse(a, "{}"), .capabilities = NULL };
	struct device_report back[] = {
		state_report(a, 2000, "{\"motion\":true}"),
		heartbeat_report(2100, false),
	};
	device_apply(a, &pir, back, 2, 1000, &o);
	is_str(facts(a, &o), "2000:status:offline>online(state) 2100:status:online>offline(last_will)",
	       "state while offline: online; Last Will: offline");
	ok(strcmp(o.status, "offline") == 0 && !o.status_changed && o.last_seen_us == 2000 && o.last_heartbeat_us == 0,
	   "final status offline, as before; the Last Will is not a sighting");

	struct device_snapshot unknown = { .id = "id-3", .name = "New", .type = "climate", .status = "unknown",
					   .state = parse(a, "{}") };
	struct device_report hb[] = { heartbeat_report(3000, true), heartbeat_report(3030, true) };
	device_apply(a, &unknown, hb, 2, 1000, &o);
	is_str(facts(a, &o), "3000:status:unknown>online(heartbeat)", "first heartbeat: online once");
	ok(o.status_changed && o.last_heartbeat_us == 3030 && !o.state_changed, "heartbeats: times move, state untouched");

	struct device_snapshot ev = { .id = "id-4", .name = "Switch", .type = "switch-pir", .status = "offline",
				      .state = parse(a, "{}") };
	struct device_report press[] = { event_report(a, 4000, "button_press") };
	device_apply(a, &ev, press, 1, 1000, &o);
	is_str(facts(a, &o), "4000:status:offline>online(event) 4000:event:button_press", "an event from an offline device");

	struct device_snapshot big = { .id = "id-5", .name = "Big", .type = "climate", .status = "online",
				       .state = parse(a, "{\"t\":1}") };
	struct device_report large[] = { state_report(a, 5000, "{\"blob\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"),
					 state_report(a, 5001, "{\"t\":2}") };
	device_apply(a, &big, large, 2, 20, &o);
	ok(o.rejected == 1 && o.state_changed && strcmp(json_text(a, big.state), "{\"t\":2}") == 0,
	   "a report that would overflow the state is skipped, the next one applies");

	struct device_fact f;
	ok(!device_status_fact("online", "online", "handshake", 1, &f), "no fact without a change");
	ok(device_status_fact("unknown", "online", "handshake", 7, &f) && f.at_us == 7 && strcmp(f.previous_status, "unknown") == 0,
	   "a status fact");

	arena_destroy(a);
	return done();
}
