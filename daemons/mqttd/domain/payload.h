/*
 * payload.h — the JSON payloads devices publish (SPEC §5), validated into structs.
 *
 * Every parser takes untrusted bytes whose size the caller has already bounded
 * (mqtt.max_payload), parses them strictly in the arena with a depth limit
 * (mqtt.json_max_depth) and validates the result against the payload kind's declared
 * fields (lib/schema.h, the same language as REST bodies). On failure it returns a short
 * lower-case reason naming the field ("state: must be an object"); the payload itself
 * never appears in a reason, so a reason can be logged as it is.
 *
 * Device conventions the declarations add to the schema's: text lengths count bytes; a
 * required member that is null is missing ("type: is required"). Values that
 * PostgreSQL's jsonb would refuse are refused here already, so one bad message can never
 * poison a batch: strings containing U+0000 and numbers that are not finite
 * (payload_check_storable). Unknown members are ignored (newer firmware may send more).
 * Pure: no I/O.
 */
#ifndef MQTTD_DOMAIN_PAYLOAD_H
#define MQTTD_DOMAIN_PAYLOAD_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "domain/device_apply.h"
#include "schema.h"

/* Longest accepted text fields, in bytes; longer ones are refused, not cut. */
#define PAYLOAD_TYPE_MAX 64
#define PAYLOAD_VERSION_MAX 64
#define PAYLOAD_CHIP_MAX 128
#define PAYLOAD_KIT_TAG_MAX 128
#define PAYLOAD_STATE_KEY_MAX 64
#define PAYLOAD_ACTION_MAX 64
#define PAYLOAD_EVENT_MAX 32
#define PAYLOAD_STATUS_MAX 16

/* {"type","firmwareVersion","chip","kit_tag"?} */
struct handshake_report {
	const char *type;
	const char *firmware_version;
	const char *chip;
	const char *kit_tag; /* NULL when absent or null */
};
extern const struct field handshake_report_fields[];

/* The kinds of device_report (domain/device_apply.h), each with its fields and the members
 * of the report it fills. {"state":{…}} → state, an object, possibly empty: */
extern const struct field state_report_fields[];
/* {"status":"online"|"offline"} → online: */
extern const struct field heartbeat_report_fields[];
/* {"event":"user_event"|"device_event","data":{"action":"…",…}} → event, data, action and
 * the whole payload, which is stored, so all of it must be storable, not only the
 * declared members: */
extern const struct field event_report_fields[];

const char *payload_parse_handshake(struct arena *arena, const char *data, size_t len, int max_depth,
				    struct handshake_report *out);
/* A state, event or heartbeat validated against its kind's fields into out (its kind and
 * the kind's members, the rest zero). */
const char *payload_parse_report(struct arena *arena, enum device_report_kind kind, const char *data, size_t len,
				 int max_depth, struct device_report *out);

/*
 * A queued state, event or heartbeat read back when its batch is written: the bytes
 * passed payload_parse_report on arrival, so they are parsed again (keeping bytes costs
 * less than keeping trees) but not validated again. Fills out's kind and the kind's
 * members; NULL, or the parser's reason if they no longer parse (a bug).
 */
const char *payload_read_report(struct arena *arena, enum device_report_kind kind, const char *data, size_t len,
				int max_depth, struct device_report *out);

/*
 * Field checks (lib/schema.h) for the rules the kinds cannot say.
 *
 * payload_check_storable: any JSON can be stored as jsonb — no string holding U+0000
 * ("path: contains U+0000"), every number finite ("path: not a finite number"); the path
 * names the checked value, however deep the culprit sits.
 * payload_check_state: a state object — keys of 1..PAYLOAD_STATE_KEY_MAX bytes
 * ("state: keys must not be empty", "state: keys must be at most 64 bytes") and
 * storable values.
 */
const char *payload_check_storable(const struct field_check_input *in, int *status);
const char *payload_check_state(const struct field_check_input *in, int *status);

#endif
