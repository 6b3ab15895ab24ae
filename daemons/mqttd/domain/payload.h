/*
 * payload.h — the JSON payloads devices publish (SPEC §5), validated into structs.
 *
 * Every parser takes untrusted bytes whose size the caller has already bounded
 * (mqtt.max_payload), parses them strictly in the arena with a depth limit
 * (mqtt.json_max_depth) and checks the shape and the field types. On failure it returns
 * a short lower-case reason naming the field ("state: must be an object"); the payload
 * itself never appears in a reason, so a reason can be logged as it is.
 *
 * Values that PostgreSQL's jsonb would refuse are refused here already, so one bad
 * message can never poison a batch: strings containing U+0000 and numbers that are not
 * finite. Unknown members are ignored (newer firmware may send more). Pure: no I/O.
 */
#ifndef MQTTD_DOMAIN_PAYLOAD_H
#define MQTTD_DOMAIN_PAYLOAD_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* Longest accepted text fields; longer ones are refused, not cut. */
#define PAYLOAD_TYPE_MAX 64
#define PAYLOAD_VERSION_MAX 64
#define PAYLOAD_CHIP_MAX 128
#define PAYLOAD_KIT_TAG_MAX 128
#define PAYLOAD_STATE_KEY_MAX 64
#define PAYLOAD_ACTION_MAX 64

/* {"type","firmwareVersion","chip","kit_tag"?} */
struct handshake_report {
	const char *type;
	const char *firmware_version;
	const char *chip;
	const char *kit_tag; /* NULL when absent or null */
};

/* {"state":{…}} */
struct state_report {
	struct json_object *state; /* an object, possibly empty */
};

/* {"status":"online"|"offline"} */
struct heartbeat_report {
	bool online;
};

/* {"event":"user_event"|"device_event","data":{"action":"…",…}} */
struct event_report {
	const char *event;
	const char *action;
	struct json_object *data;    /* the data object */
	struct json_object *payload; /* the whole payload (stored as the event's data) */
};

const char *payload_parse_handshake(struct arena *arena, const char *data, size_t len, int max_depth,
				    struct handshake_report *out);
const char *payload_parse_state(struct arena *arena, const char *data, size_t len, int max_depth,
				struct state_report *out);
const char *payload_parse_heartbeat(struct arena *arena, const char *data, size_t len, int max_depth,
				    struct heartbeat_report *out);
const char *payload_parse_event(struct arena *arena, const char *data, size_t len, int max_depth,
				struct event_report *out);

/*
 * NULL when value (any JSON) can be stored as jsonb: no string or key holding U+0000,
 * every number finite. Otherwise a reason prefixed with `field`.
 */
const char *payload_check_storable(struct arena *arena, struct json_object *value, const char *field);

#endif
