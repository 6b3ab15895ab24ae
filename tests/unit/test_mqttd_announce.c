/*
 * test_mqttd_announce.c — the exact station_events payloads, device_events data,
 * command payloads and handshake answers of station-mqttd
 * (daemons/mqttd/domain/announce.c, command.c, handshake.c).
 */
#include "domain/announce.h"
#include "domain/command.h"
#include "domain/handshake.h"
#include "json_reader.h"
#include "tap.h"

#define DEV "6b1e8f8e-4f5b-4d7a-9d39-2c1f1c8a6f10"
#define NOW 1795842803123LL /* 2026-11-28T05:13:23.123Z */
#define TS "\"ts\":\"2026-11-28T05:13:23.123Z\""

static struct json_object *parse(struct arena *a, const char *json)
{
	const char *error = NULL;
	return json_parse(a, json, strlen(json), 32, &error);
}

/* head, then c n times, then tail. */
static const char *repeated(struct arena *a, const char *head, char c, size_t n, const char *tail)
{
	struct buf b;
	buf_init(&b, a);
	buf_puts(&b, head);
	for (size_t i = 0; i < n; i++)
		buf_putc(&b, c);
	buf_puts(&b, tail);
	return b.data;
}

/* {"k":"yyy…"} with n y's. */
static const char *state_of(struct arena *a, size_t n)
{
	return repeated(a, "{\"k\":\"", 'y', n, "\"}");
}

int main(void)
{
	struct arena *a = arena_new();

	is_str(announce_state_changed(a, DEV, parse(a, "{\"on\":true,\"brightness\":75}"), NOW - 23, NOW),
	       "{\"type\":\"device.stateChanged\",\"data\":{\"deviceId\":\"" DEV "\",\"state\":{\"on\":true,\"brightness\":75},"
	       "\"timestamp\":\"2026-11-28T05:13:23.100Z\"}," TS "}",
	       "device.stateChanged");
	is_str(announce_status_changed(a, DEV, "Hall \"light\"", "light", "offline", NOW),
	       "{\"type\":\"device.statusChanged\",\"data\":{\"deviceId\":\"" DEV "\",\"deviceName\":\"Hall \\\"light\\\"\","
	       "\"deviceType\":\"light\",\"status\":\"offline\"}," TS "}",
	       "device.statusChanged, name escaped");
	is_str(announce_state_transition(a, DEV, "on", false, true, NOW),
	       "{\"type\":\"device.stateTransition\",\"data\":{\"deviceId\":\"" DEV "\",\"capabilityKey\":\"on\",\"oldValue\":false,"
	       "\"newValue\":true}," TS "}",
	       "device.stateTransition");
	is_str(announce_event_received(a, DEV, "Switch", "switch-pir", "user_event", parse(a, "{\"action\":\"button_press\"}"), NOW),
	       "{\"type\":\"device.eventReceived\",\"data\":{\"deviceId\":\"" DEV "\",\"deviceName\":\"Switch\",\"deviceType\":\"switch-pir\","
	       "\"event\":\"user_event\",\"data\":{\"action\":\"button_press\"}}," TS "}",
	       "device.eventReceived");
	is_str(announce_command_sent(a, DEV, "c0ffee00-0000-4000-8000-000000000001", "toggle", NOW),
	       "{\"type\":\"device.commandSent\",\"data\":{\"deviceId\":\"" DEV "\",\"commandId\":\"c0ffee00-0000-4000-8000-000000000001\","
	       "\"action\":\"toggle\"}," TS "}",
	       "device.commandSent");

	/* A state too large for a NOTIFY is announced without it. */
	const char *big = repeated(a, "{\"blob\":\"", 'x', 8000, "\"}");
	is_str(announce_state_changed(a, DEV, parse(a, big), NOW, NOW),
	       "{\"type\":\"device.stateChanged\",\"data\":{\"deviceId\":\"" DEV "\",\"timestamp\":\"2026-11-28T05:13:23.123Z\"},"
	       TS ",\"truncated\":true}",
	       "oversized state: truncated form");
	/* Exactly at the limit, and one byte over, counting the envelope. */
	size_t envelope = strlen(announce_state_changed(a, DEV, parse(a, "{\"k\":\"\"}"), NOW, NOW));
	const char *at_limit = announce_state_changed(a, DEV, parse(a, state_of(a, NOTIFY_PAYLOAD_MAX - envelope)), NOW, NOW);
	ok(strlen(at_limit) == NOTIFY_PAYLOAD_MAX && strstr(at_limit, "\"truncated\"") == NULL, "a payload of 7999 bytes is sent whole");
	const char *over = announce_state_changed(a, DEV, parse(a, state_of(a, NOTIFY_PAYLOAD_MAX - envelope + 1)), NOW, NOW);
	ok(over && strstr(over, "\"truncated\":true") != NULL && strlen(over) < 8000, "8000 bytes would be refused: truncated instead");

	const char *big_event = repeated(a, "{\"action\":\"x\",\"pad\":\"", 'p', 9000, "\"}");
	is_str(announce_event_received(a, DEV, "S", "pir", "device_event", parse(a, big_event), NOW),
	       "{\"type\":\"device.eventReceived\",\"data\":{\"deviceId\":\"" DEV "\",\"deviceName\":\"S\",\"deviceType\":\"pir\","
	       "\"event\":\"device_event\"}," TS ",\"truncated\":true}",
	       "oversized event data: truncated form");
	const char *huge_name = repeated(a, "", 'n', 8000, "");
	ok(announce_status_changed(a, DEV, huge_name, "pir", "online", NOW) == NULL, "a payload that cannot fit is NULL");

	is_str(event_data_status(a, "online", "unknown", "handshake"), "{\"from\":\"unknown\",\"to\":\"online\",\"reason\":\"handshake\"}",
	       "status_changed data");
	is_str(event_data_status(a, "online", NULL, "state"), "{\"from\":null,\"to\":\"online\",\"reason\":\"state\"}",
	       "status_changed data without a previous status");
	is_str(event_data_transition(a, true, false), "{\"oldValue\":true,\"newValue\":false}", "state_transition data");
	is_str(event_data_command(a, "c1", "{\"brightness\": 75}"), "{\"commandId\":\"c1\",\"params\":{\"brightness\": 75}}", "command_sent data");
	is_str(event_data_command(a, "c1", NULL), "{\"commandId\":\"c1\",\"params\":{}}", "command_sent data without params");

	is_str(command_payload(a, "toggle", parse(a, "{}")), "{\"action\":\"toggle\"}", "command without params");
	is_str(command_payload(a, "toggle", NULL), "{\"action\":\"toggle\"}", "command with no params object");
	is_str(command_payload(a, "set_brightness", parse(a, "{\"brightness\":75}")), "{\"action\":\"set_brightness\",\"brightness\":75}",
	       "params merged after the action");
	is_str(command_payload(a, "wifi_update", parse(a, "{\"ssid\":\"home\",\"password\":\"p\\\"w\",\"opts\":{\"a\":[1,null]}}")),
	       "{\"action\":\"wifi_update\",\"ssid\":\"home\",\"password\":\"p\\\"w\",\"opts\":{\"a\":[1,null]}}", "any JSON params");
	is_str(command_payload(a, "toggle", parse(a, "{\"action\":\"factory_reset\",\"x\":1}")), "{\"action\":\"toggle\",\"x\":1}",
	       "a param named action never overrides the action");
	ok(command_payload(a, "toggle", parse(a, "[1]")) == NULL, "params that are not an object are refused");

	ok(handshake_decide(HANDSHAKE_FOUND) == HANDSHAKE_REPLY_OK, "found: ok");
	ok(handshake_decide(HANDSHAKE_NOT_FOUND) == HANDSHAKE_REPLY_UNKNOWN, "positively not found: unknown_device");
	ok(handshake_decide(HANDSHAKE_FAILED) == HANDSHAKE_REPLY_SILENT, "database failed: silence");
	is_str(handshake_ack_payload(a, HANDSHAKE_REPLY_OK), "{\"status\":\"ok\"}", "ok payload, to the byte");
	is_str(handshake_ack_payload(a, HANDSHAKE_REPLY_UNKNOWN), "{\"status\":\"unknown_device\"}", "unknown_device payload, to the byte");
	ok(handshake_ack_payload(a, HANDSHAKE_REPLY_SILENT) == NULL, "silence has no payload");
	ok(handshake_type_matches("light", "light") && !handshake_type_matches("light", "pir") && !handshake_type_matches(NULL, "pir"),
	   "type match");

	arena_destroy(a);
	return done();
}
