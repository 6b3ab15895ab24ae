/*
 * device_apply.h — what a run of messages from one device does to it.
 *
 * mqttd writes telemetry in batches: the state, event and heartbeat messages of one
 * device collected since the last write are applied here, in the order they arrived,
 * to the device as the database holds it. The result is the device's new row (state,
 * status, times) and the facts to record and announce, in order: status changes,
 * boolean transitions, received events. The rules (SPEC §5):
 *
 *   state               merged key by key; the device is online when it was not
 *   event               recorded; the device is online when it was not
 *   heartbeat online    last_heartbeat_at; online when it was not
 *   heartbeat offline   (the Last Will) offline when it was not
 *
 * Pure: plain structs in, plain structs out, no I/O, no clock (times come in).
 */
#ifndef MQTTD_DOMAIN_DEVICE_APPLY_H
#define MQTTD_DOMAIN_DEVICE_APPLY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

enum device_report_kind {
	DEVICE_REPORT_STATE,
	DEVICE_REPORT_EVENT,
	DEVICE_REPORT_HEARTBEAT,
};

/* One validated message (see payload.h) and when it arrived. */
struct device_report {
	enum device_report_kind kind;
	long long received_us;       /* wall clock, epoch microseconds (strictly increasing) */
	struct json_object *state;   /* STATE: the partial state */
	bool online;                 /* HEARTBEAT */
	const char *event;           /* EVENT: user_event | device_event */
	const char *action;          /* EVENT: data.action */
	struct json_object *data;    /* EVENT: the data object */
	struct json_object *payload; /* EVENT: the whole payload */
};

/* The device as the database holds it. */
struct device_snapshot {
	const char *id;   /* devices.id (the station's UUID) */
	const char *name;
	const char *type;
	const char *status;               /* online | offline | unknown */
	struct json_object *state;        /* an object; merged in place */
	struct json_object *capabilities; /* the type's capabilities array, or NULL */
};

enum device_fact_kind {
	DEVICE_FACT_STATUS_CHANGED,
	DEVICE_FACT_STATE_TRANSITION,
	DEVICE_FACT_EVENT_RECEIVED,
};

struct device_fact {
	enum device_fact_kind kind;
	long long at_us; /* when the message arrived; 0: "now" (decided outside a batch) */
	/* STATUS_CHANGED */
	const char *status;
	const char *previous_status;
	const char *reason; /* handshake | heartbeat | last_will | state | event | heartbeat_timeout */
	/* STATE_TRANSITION */
	const char *key;
	bool old_value, new_value;
	/* EVENT_RECEIVED */
	const char *event, *action;
	struct json_object *data, *payload;
};

struct device_outcome {
	const char *status;          /* the final status */
	bool status_changed;         /* final status differs from the snapshot's */
	bool state_changed;          /* some state value differs from the snapshot's */
	long long state_at_us;       /* arrival of the last state message that changed it */
	long long last_seen_us;      /* 0: no message from the device itself */
	long long last_heartbeat_us; /* 0: no heartbeat online */
	size_t rejected;             /* state messages refused (state would exceed max bytes) */
	size_t nfacts;
	struct device_fact *facts;   /* in the arena */
};

/*
 * Applies reports[0..n) in order to dev (whose state is merged in place). A state
 * report that would make the state longer than state_max_bytes is skipped and counted.
 */
void device_apply(struct arena *arena, struct device_snapshot *dev, const struct device_report *reports,
		  size_t n, size_t state_max_bytes, struct device_outcome *out);

/* A status change (also one decided outside a batch: handshake, heartbeat timeout):
 * fills *out, or returns false when the status does not change. */
bool device_status_fact(const char *current, const char *next, const char *reason, long long at_us,
			struct device_fact *out);

#endif
