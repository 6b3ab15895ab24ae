/*
 * fuzz_mqtt_payload.c — the JSON payloads devices publish (daemons/mqttd/domain/payload.c):
 * handshake, state, heartbeat and event. The first input byte picks the kind, the rest
 * is the payload as libmosquitto hands it over (bytes with a length, not a C string).
 *
 * Invariants: a refusal has a reason that never quotes the payload's bytes beyond a
 * field name; an accepted payload fills the kind's struct as payload.h promises
 * (required text present and within its byte limit, state an object, event data an
 * object with an action); and a state, event or heartbeat accepted on arrival is read
 * back by payload_read_report (the batch writer's path) without a reason.
 */
#include "domain/payload.h"
#include "fuzz.h"
#include "utf8.h"

#define DEPTH 16

static void check_text(const char *s, size_t max, bool required)
{
	FUZZ_CHECK(s || !required);
	FUZZ_CHECK(!s || (strlen(s) <= max && utf8_valid(s, strlen(s))));
}

static void check_read_back(struct arena *a, enum device_report_kind kind, const char *payload, size_t len)
{
	struct device_report r;
	FUZZ_CHECK(payload_read_report(a, kind, payload, len, DEPTH, &r) == NULL);
	FUZZ_CHECK(r.kind == kind);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct arena *a = arena_new();
	int kind = data[0] % 4;
	const char *payload = (const char *)data + 1;
	size_t len = size - 1;
	const char *reason = NULL;
	switch (kind) {
	case 0: {
		struct handshake_report r;
		if (!(reason = payload_parse_handshake(a, payload, len, DEPTH, &r))) {
			check_text(r.type, PAYLOAD_TYPE_MAX, true);
			check_text(r.firmware_version, PAYLOAD_VERSION_MAX, true);
			check_text(r.chip, PAYLOAD_CHIP_MAX, true);
			check_text(r.kit_tag, PAYLOAD_KIT_TAG_MAX, false);
		}
		break;
	}
	case 1: {
		struct device_report r;
		if (!(reason = payload_parse_report(a, DEVICE_REPORT_STATE, payload, len, DEPTH, &r))) {
			FUZZ_CHECK(json_object_is_type(r.state, json_type_object));
			check_read_back(a, DEVICE_REPORT_STATE, payload, len);
		}
		break;
	}
	case 2: {
		struct device_report r;
		if (!(reason = payload_parse_report(a, DEVICE_REPORT_HEARTBEAT, payload, len, DEPTH, &r))) {
			struct device_report back;
			FUZZ_CHECK(payload_read_report(a, DEVICE_REPORT_HEARTBEAT, payload, len, DEPTH, &back) == NULL);
			FUZZ_CHECK(back.online == r.online);
		}
		break;
	}
	default: {
		struct device_report r;
		if (!(reason = payload_parse_report(a, DEVICE_REPORT_EVENT, payload, len, DEPTH, &r))) {
			check_text(r.event, PAYLOAD_EVENT_MAX, true);
			check_text(r.action, PAYLOAD_ACTION_MAX, true);
			FUZZ_CHECK(json_object_is_type(r.data, json_type_object));
			FUZZ_CHECK(json_object_is_type(r.payload, json_type_object));
			check_read_back(a, DEVICE_REPORT_EVENT, payload, len);
		}
		break;
	}
	}
	FUZZ_CHECK(!reason || (*reason && utf8_valid(reason, strlen(reason))));
	arena_destroy(a);
	return 0;
}
