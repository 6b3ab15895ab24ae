/*
 * test_mqttd_topic.c — station-mqttd's device topics: what is accepted, what is refused
 * and why (daemons/mqttd/domain/topic.c).
 */
#include "domain/topic.h"
#include "tap.h"

#define SID "6b1e8f8e-4f5b-4d7a-9d39-2c1f1c8a6f10"

/* "kind:externalId" for an accepted topic, else the reason. */
static const char *parse(struct arena *a, const char *topic)
{
	struct device_topic t;
	const char *reason = NULL;
	if (device_topic_parse(topic, SID, &t, &reason) != 0)
		return reason;
	return arena_printf(a, "%s:%s", device_topic_suffix(t.kind), t.external_id);
}

int main(void)
{
	struct arena *a = arena_new();
	is_str(parse(a, "station/" SID "/device/hall-light/handshake"), "handshake:hall-light", "handshake topic");
	is_str(parse(a, "station/" SID "/device/hall-light/state"), "state:hall-light", "state topic");
	is_str(parse(a, "station/" SID "/device/a.b:c_d-1/event"), "event:a.b:c_d-1", "event topic, every allowed character");
	is_str(parse(a, "station/" SID "/device/x/heartbeat"), "heartbeat:x", "heartbeat topic, one-character id");

	is_str(parse(a, "station/" SID "/device/+/state"), "wildcard in topic", "+ refused");
	is_str(parse(a, "station/" SID "/device/#"), "wildcard in topic", "# refused");
	is_str(parse(a, "station/" SID "/device/a+b/state"), "wildcard in topic", "+ inside a level refused");
	is_str(parse(a, "station/" SID "/device//state"), "empty topic level", "empty level refused");
	is_str(parse(a, "/station/" SID "/device/x/state"), "empty topic level", "leading slash refused");
	is_str(parse(a, "station/" SID "/device/x/state/"), "empty topic level", "trailing slash refused");
	is_str(parse(a, ""), "empty topic", "empty topic refused");
	is_str(parse(a, "station/" SID "/device/x/handshake/ack"), "too many topic levels", "our own ack topic is not a device topic");
	is_str(parse(a, "station/" SID "/device/x"), "not a device topic", "four levels refused");
	is_str(parse(a, "station/" SID "/devices/x/state"), "not a device topic", "wrong third level");
	is_str(parse(a, "stations/" SID "/device/x/state"), "not a device topic", "wrong first level");
	is_str(parse(a, "station/00000000-0000-0000-0000-000000000000/device/x/state"), "another station", "another station refused");
	is_str(parse(a, "station/" SID "x/device/x/state"), "another station", "a longer station id refused");
	is_str(parse(a, "station/" SID "/device/x/command"), "unknown suffix", "command is not a device-to-station topic");
	is_str(parse(a, "station/" SID "/device/x/State"), "unknown suffix", "suffixes are case-sensitive");
	is_str(parse(a, "station/" SID "/device/bad id/state"), "invalid device id", "space in the id refused");
	is_str(parse(a, "station/" SID "/device/caf\xc3\xa9/state"), "invalid device id", "non-ASCII id refused");
	is_str(parse(a, "station/" SID "/device/"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/state"),
	       "invalid device id", "65-character id refused");
	is_str(parse(a, "station/" SID "/device/"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/state"),
	       "state:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "64-character id accepted");

	is_str(device_topic_build(a, SID, "hall-light", "command"), "station/" SID "/device/hall-light/command", "command topic");
	is_str(device_topic_filter(a, SID, DEVICE_TOPIC_HEARTBEAT), "station/" SID "/device/+/heartbeat", "subscription filter");
	ok(device_external_id_valid("a", 1) && !device_external_id_valid("", 0) && !device_external_id_valid("a/b", 3),
	   "external id alphabet");
	arena_destroy(a);
	return done();
}
