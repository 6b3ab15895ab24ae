/*
 * test_mqttd_payload.c — device payloads validated into structs, and the exact reasons
 * for refusing them (daemons/mqttd/domain/payload.c).
 */
#include <math.h>
#include <stdlib.h>

#include "domain/payload.h"
#include "json_reader.h"
#include "tap.h"

#define DEPTH 16

static const char *handshake_into(struct arena *a, const char *json, struct handshake_report *r)
{
	const char *reason = payload_parse_handshake(a, json, strlen(json), DEPTH, r);
	return reason ? reason : "valid";
}

static const char *handshake(struct arena *a, const char *json)
{
	struct handshake_report r;
	return handshake_into(a, json, &r);
}

static const char *state(struct arena *a, const char *json)
{
	struct device_report r;
	const char *reason = payload_parse_report(a, DEVICE_REPORT_STATE, json, strlen(json), DEPTH, &r);
	return reason ? reason : json_text(a, r.state);
}

static const char *heartbeat(struct arena *a, const char *json)
{
	struct device_report r;
	const char *reason = payload_parse_report(a, DEVICE_REPORT_HEARTBEAT, json, strlen(json), DEPTH, &r);
	return reason ? reason : r.online ? "online" : "offline";
}

static const char *event(struct arena *a, const char *json)
{
	struct device_report r;
	const char *reason = payload_parse_report(a, DEVICE_REPORT_EVENT, json, strlen(json), DEPTH, &r);
	return reason ? reason : arena_printf(a, "%s/%s", r.event, r.action);
}

/* A payload, and what reading it as its kind gives: its reading, or the reason it is refused. */
struct payload_case {
	const char *json;
	const char *expect;
	const char *name;
};

static const struct payload_case handshake_cases[] = {
	{ "{\"type\":\"light\",\"firmwareVersion\":\"0.1\",\"chip\":\"c\",\"extra\":[1,2]}",
	  "valid", "unknown members ignored" },
	{ "{\"firmwareVersion\":\"0.1.32\",\"chip\":\"c\"}", "type: is required", "missing type" },
	{ "{\"type\":5,\"firmwareVersion\":\"0.1.32\",\"chip\":\"c\"}",
	  "type: must be a string", "type not a string" },
	{ "{\"type\":\"\",\"firmwareVersion\":\"0.1.32\",\"chip\":\"c\"}",
	  "type: must not be empty", "empty type" },
	{ "{\"type\":\"light\",\"firmwareVersion\":[],\"chip\":\"c\"}",
	  "firmwareVersion: must be a string", "version not a string" },
	{ "{\"type\":\"light\",\"firmwareVersion\":\"1\"}", "chip: is required", "missing chip" },
	{ "{\"type\":\"light\",\"firmwareVersion\":\"1\",\"chip\":\"c\",\"kit_tag\":7}",
	  "kit_tag: must be a string", "kit tag not a string" },
	{ "{\"type\":\"li\\u0000ght\",\"firmwareVersion\":\"1\",\"chip\":\"c\"}",
	  "type: contains U+0000", "NUL in a string" },
	{ "{\"type\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"firmwareVersion\":\"1\",\"chip\":\"c\"}",
	  "type: must be at most 64 bytes", "type too long" },
	{ "[1,2]", "not a JSON object", "array refused" },
	{ "\"hello\"", "not a JSON object", "string refused" },
	{ "{\"type\":", "invalid JSON", "truncated JSON" },
	{ "{} {}", "invalid JSON", "trailing data" },
	{ "", "invalid JSON", "empty payload" },
	{ "{\"type\":\"\xff\xfe\",\"firmwareVersion\":\"1\",\"chip\":\"c\"}",
	  "invalid UTF-8", "invalid UTF-8 refused" },
};

static const struct payload_case state_cases[] = {
	{ "{\"state\":{\"temperature\":23.5,\"humidity\":60}}",
	  "{\"temperature\":23.5,\"humidity\":60}", "state" },
	{ "{\"state\":{}}", "{}", "empty state accepted" },
	{ "{\"state\":{\"on\":true,\"mode\":\"eco\",\"x\":null,\"list\":[1,{\"a\":2}]}}",
	  "{\"on\":true,\"mode\":\"eco\",\"x\":null,\"list\":[1,{\"a\":2}]}", "any JSON values" },
	{ "{\"temperature\":23.5}", "state: is required", "state missing" },
	{ "{\"state\":null}", "state: is required", "state null" },
	{ "{\"state\":[1]}", "state: must be an object", "state not an object" },
	{ "{\"state\":\"on\"}", "state: must be an object", "state a string" },
	{ "{\"state\":{\"\":1}}", "state: keys must not be empty", "empty key" },
	{ "{\"state\":{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}}",
	  "state: keys must be at most 64 bytes", "key too long" },
	{ "{\"state\":{\"name\":\"a\\u0000b\"}}", "state: contains U+0000", "NUL in a state string" },
	{ "{\"state\":{\"deep\":{\"x\":[\"\\u0000\"]}}}",
	  "state: contains U+0000", "NUL deep in a state value" },
	{ "{\"state\":{\"t\":1e999}}", "state: not a finite number", "infinite number refused" },
	{ "{\"state\":{\"t\":NaN}}", "state: not a finite number", "NaN refused" },
};

static const struct payload_case heartbeat_cases[] = {
	{ "{\"status\":\"online\"}", "online", "heartbeat online" },
	{ "{\"status\":\"offline\"}", "offline", "Last Will" },
	{ "{\"status\":\"sleeping\"}", "status: must be online or offline", "unknown status" },
	{ "{\"status\":true}", "status: must be a string", "status not a string" },
	{ "{}", "status: is required", "status missing" },
};

static const struct payload_case event_cases[] = {
	{ "{\"event\":\"user_event\",\"data\":{\"action\":\"button_press\"}}",
	  "user_event/button_press", "user event" },
	{ "{\"event\":\"device_event\",\"data\":{\"action\":\"motion_detected\",\"zone\":2}}",
	  "device_event/motion_detected", "device event with more data" },
	{ "{\"event\":\"other\",\"data\":{\"action\":\"x\"}}",
	  "event: must be user_event or device_event", "unknown event kind" },
	{ "{\"data\":{\"action\":\"x\"}}", "event: is required", "event missing" },
	{ "{\"event\":\"user_event\"}", "data: is required", "data missing" },
	{ "{\"event\":\"user_event\",\"data\":\"x\"}", "data: must be an object", "data not an object" },
	{ "{\"event\":\"user_event\",\"data\":{}}", "data.action: is required", "action missing" },
	{ "{\"event\":\"user_event\",\"data\":{\"action\":3}}",
	  "data.action: must be a string", "action not a string" },
	{ "{\"event\":\"user_event\",\"data\":{\"action\":\"x\",\"note\":\"\\u0000\"}}",
	  "payload: contains U+0000", "NUL anywhere in an event refused" },
	{ "{\"event\":\"user_event\",\"data\":{\"action\":\"x\"},\"n\":1e999}",
	  "payload: not a finite number", "a number outside data refused too (the whole payload is stored)" },
	{ "{\"event\":\"user_event\",\"data\":{\"action\":null}}",
	  "data.action: is required", "null action is missing" },
	{ "{\"event\":null,\"data\":null}",
	  "event: is required", "null members are missing, in declared order" },
};

/* Conventions the declarations add: lengths in bytes, U+0000 seen past the end of a C string. */
static const struct payload_case handshake_conventions[] = {
	{ "{\"type\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	  "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\",\"firmwareVersion\":\"1\",\"chip\":\"c\"}",
	  "type: must be at most 64 bytes", "33 two-byte characters are 66 bytes" },
	{ "{\"type\":\"\\u0000\",\"firmwareVersion\":\"1\",\"chip\":\"c\"}",
	  "type: contains U+0000", "a lone U+0000 is not an empty string" },
	{ "{\"type\":null,\"firmwareVersion\":\"1\",\"chip\":\"c\"}",
	  "type: is required", "null type is missing" },
};

static const struct payload_case heartbeat_conventions[] = {
	{ "{\"status\":\"on\\u0000line\"}", "status: contains U+0000", "NUL in the status" },
	{ "{\"status\":\"\"}", "status: must not be empty", "empty status" },
};

#define CASES(read, table) { read, table, sizeof table / sizeof table[0] }

/* Each table read as its kind, in this order. */
static const struct {
	const char *(*read)(struct arena *a, const char *json);
	const struct payload_case *cases;
	size_t count;
} kinds[] = {
	CASES(handshake, handshake_cases), CASES(state, state_cases),
	CASES(heartbeat, heartbeat_cases), CASES(event, event_cases),
	CASES(handshake, handshake_conventions), CASES(heartbeat, heartbeat_conventions),
};

/* A state report whose value is nested n arrays deep (n + 2 levels in all). */
static char *nested(int n)
{
	char *s = malloc((size_t)n * 2 + 32);
	size_t len = 0;
	len += (size_t)sprintf(s, "{\"state\":{\"k\":");
	for (int i = 0; i < n; i++)
		s[len++] = '[';
	for (int i = 0; i < n; i++)
		s[len++] = ']';
	s[len++] = '}';
	s[len++] = '}';
	s[len] = '\0';
	return s;
}

/* A field check run on one JSON value, as the schema would run it for path. */
static const char *check(struct arena *a, field_check fn, const char *path, struct json_object *v)
{
	struct field_check_input in = { .arena = a, .path = path, .value = v };
	int status = 400;
	const char *reason = fn(&in, &status);
	return reason ? reason : "valid";
}

static const char *check_json(struct arena *a, field_check fn, const char *path, const char *json)
{
	const char *error = NULL;
	struct json_object *v = json_parse(a, json, strlen(json), DEPTH, &error);
	return v ? check(a, fn, path, v) : error;
}

/* A payload through its kind's declared fields alone (no parser conventions). */
static const char *declared(struct arena *a, const struct field *fields, const char *json)
{
	const char *error = NULL;
	struct json_object *v = json_parse(a, json, strlen(json), DEPTH, &error);
	if (!v)
		return error;
	const char *reason = schema_validate_object(a, v, fields, NULL, NULL);
	return reason ? reason : "valid";
}

int main(void)
{
	struct arena *a = arena_new();
	struct handshake_report h;

	is_str(handshake_into(a, "{\"type\":\"switch-pir\",\"firmwareVersion\":\"0.1.32\",\"chip\":\"ESP32-D0WD-V3\",\"kit_tag\":\"k-sp-lt-a1b2c3\"}", &h),
	       "valid", "handshake with kit tag");
	is_str(h.kit_tag, "k-sp-lt-a1b2c3", "kit tag read");
	is_str(h.firmware_version, "0.1.32", "firmware version read");
	is_str(handshake_into(a, "{\"type\":\"light\",\"firmwareVersion\":\"0.1.32\",\"chip\":\"c\"}", &h), "valid", "kit tag optional");
	ok(h.kit_tag == NULL, "absent kit tag is NULL");
	is_str(handshake_into(a, "{\"type\":\"light\",\"firmwareVersion\":\"0.1.32\",\"chip\":\"c\",\"kit_tag\":null}", &h), "valid", "null kit tag accepted");
	ok(h.kit_tag == NULL, "null kit tag is NULL");
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		for (const struct payload_case *c = kinds[k].cases; c < kinds[k].cases + kinds[k].count; c++)
			is_str(kinds[k].read(a, c->json), c->expect, "%s", c->name);
	const char bytes[] = { '\x9f', '\x01', '\xff', '{', '\x00', 'z' };
	ok(payload_parse_handshake(a, bytes, sizeof bytes, DEPTH, &h) != NULL, "random bytes refused");

	char *deep = nested(10000);
	is_str(state(a, deep), "nesting deeper than 16 levels", "nesting 10 000 deep refused");
	free(deep);
	deep = nested(14);
	is_str(state(a, deep), "{\"k\":[[[[[[[[[[[[[[]]]]]]]]]]]]]]}", "nesting at the limit (16 levels) accepted");
	free(deep);
	deep = nested(15);
	is_str(state(a, deep), "nesting deeper than 16 levels", "one level more refused");
	free(deep);

	/* payload_check_storable */
	is_str(check_json(a, payload_check_storable, "v", "{\"a\":[1,2.5,\"x\",true,null,{\"b\":\"\"}]}"), "valid", "storable: plain JSON");
	is_str(check_json(a, payload_check_storable, "v", "[[\"a\\u0000\"]]"), "v: contains U+0000", "storable: NUL deep in an array");
	is_str(check_json(a, payload_check_storable, "v.w", "\"\\u0000\""), "v.w: contains U+0000", "storable: names the path it was given");
	struct json_object *nan = json_object_new_double(NAN);
	is_str(check(a, payload_check_storable, "t", nan), "t: not a finite number", "storable: NaN");
	json_object_put(nan);
	is_str(check_json(a, payload_check_storable, "t", "{\"x\":[-1e400]}"), "t: not a finite number", "storable: -infinity");
	is_str(check_json(a, payload_check_storable, "t", "{\"a\\u0000b\":1}"), "valid", "storable: json-c ends a key at U+0000");

	/* payload_check_state */
	is_str(check_json(a, payload_check_state, "state", "{\"t\":1,\"on\":false}"), "valid", "state check: plain state");
	is_str(check_json(a, payload_check_state, "state", "{}"), "valid", "state check: empty state");
	is_str(check_json(a, payload_check_state, "state", "{\"t\":1,\"\":2}"), "state: keys must not be empty", "state check: empty key");
	is_str(check_json(a, payload_check_state, "state",
			  "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":1}"), "valid", "state check: a 64-byte key");
	is_str(check_json(a, payload_check_state, "state", "{\"t\":{\"u\":\"\\u0000\"}}"), "state: contains U+0000", "state check: values storable");

	/* One payload of each kind through its declared fields. */
	is_str(declared(a, handshake_report_fields, "{\"type\":\"light\",\"firmwareVersion\":\"0.1.32\",\"chip\":\"c\",\"kit_tag\":null}"), "valid",
	       "handshake fields: valid");
	is_str(declared(a, handshake_report_fields, "{\"type\":\"light\",\"firmwareVersion\":\"0.1.32\",\"chip\":\"c\",\"kit_tag\":\"\"}"),
	       "kit_tag: must not be empty", "handshake fields: empty kit tag");
	is_str(declared(a, state_report_fields, "{\"state\":{\"t\":1}}"), "valid", "state fields: valid");
	is_str(declared(a, state_report_fields, "{\"state\":{\"t\":NaN}}"), "state: not a finite number", "state fields: the check runs");
	is_str(declared(a, heartbeat_report_fields, "{\"status\":\"offline\"}"), "valid", "heartbeat fields: valid");
	is_str(declared(a, heartbeat_report_fields, "{\"status\":\"aaaaaaaaaaaaaaaaa\"}"), "status: must be at most 16 bytes",
	       "heartbeat fields: bounded");
	is_str(declared(a, event_report_fields, "{\"event\":\"device_event\",\"data\":{\"action\":\"m\"}}"), "valid", "event fields: valid");
	is_str(declared(a, event_report_fields, "{\"event\":\"user_event\",\"data\":{\"action\":\"\"}}"), "data.action: must not be empty",
	       "event fields: nested path");
	is_str(declared(a, event_report_fields, "{\"event\":\"user_event\",\"data\":null}"), "data: must not be null",
	       "event fields alone: null is the schema's (the parser reads it as missing)");

	/* payload_read_report: queued payloads are read back, not checked again. */
	struct device_report r;
	const char *queued = "{\"event\":\"user_event\",\"data\":{\"action\":\"button_press\",\"n\":2}}";
	ok(payload_read_report(a, DEVICE_REPORT_EVENT, queued, strlen(queued), DEPTH, &r) == NULL && r.kind == DEVICE_REPORT_EVENT &&
		   strcmp(r.event, "user_event") == 0 && strcmp(r.action, "button_press") == 0 &&
		   strcmp(json_text(a, r.data), "{\"action\":\"button_press\",\"n\":2}") == 0 && r.payload != NULL,
	   "read back: event");
	queued = "{\"state\":{\"t\":1}}";
	ok(payload_read_report(a, DEVICE_REPORT_STATE, queued, strlen(queued), DEPTH, &r) == NULL &&
		   strcmp(json_text(a, r.state), "{\"t\":1}") == 0,
	   "read back: state");
	queued = "{\"status\":\"offline\"}";
	ok(payload_read_report(a, DEVICE_REPORT_HEARTBEAT, queued, strlen(queued), DEPTH, &r) == NULL && !r.online, "read back: Last Will");
	queued = "{\"status\":\"online\"}";
	ok(payload_read_report(a, DEVICE_REPORT_HEARTBEAT, queued, strlen(queued), DEPTH, &r) == NULL && r.online, "read back: heartbeat");
	is_str(payload_read_report(a, DEVICE_REPORT_STATE, "{\"state\":", 9, DEPTH, &r), "invalid JSON", "read back: bytes that do not parse");

	arena_destroy(a);
	return done();
}
