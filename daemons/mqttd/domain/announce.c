/*
 * announce.c — station_events payloads and device_events data (see announce.h).
 *
 * Every payload is written inside libstation's station_event envelope, which adds "type",
 * "ts" and "truncated" and checks the size on the finished text, so nothing can slip past
 * the limit. No I/O.
 */
#include "domain/announce.h"

#include <string.h>

#include "json_reader.h"
#include "json_writer.h"
#include "notify.h"
#include "timeutil.h"

/* A member as big as the device made it (a state, an event's data), as JSON text: NULL
 * when it alone exceeds the bus's limit, so it is not even serialised into the payload.
 * The announcements that carry one are written whole, then, when that does not fit,
 * once more without it and marked truncated (listeners refetch). */
static const char *big_member(struct arena *arena, struct json_object *value)
{
	const char *text = json_text(arena, value);
	return strlen(text) <= NOTIFY_PAYLOAD_MAX ? text : NULL;
}

/* The members that name a device in statusChanged and eventReceived. */
static void device_named(struct jw *w, const char *device_id, const char *name, const char *type)
{
	jw_member_string(w, "deviceId", device_id);
	jw_member_string(w, "deviceName", name);
	jw_member_string(w, "deviceType", type);
}

/* state_text NULL: the short form. */
static const char *state_changed(struct arena *arena, const char *device_id, const char *state_text,
				 const char *timestamp, long long now_ms)
{
	struct station_event p;
	struct jw *w = station_event_begin(&p, arena, "device.stateChanged");
	jw_member_string(w, "deviceId", device_id);
	if (state_text)
		jw_member_raw(w, "state", state_text);
	jw_member_string(w, "timestamp", timestamp);
	return station_event_end(&p, arena, now_ms, !state_text);
}

const char *announce_state_changed(struct arena *arena, const char *device_id, struct json_object *state,
				   long long at_ms, long long now_ms)
{
	const char *timestamp = time_rfc3339_ms(arena, at_ms);
	const char *state_text = big_member(arena, state);
	const char *text = state_text ? state_changed(arena, device_id, state_text, timestamp, now_ms) : NULL;
	return text ? text : state_changed(arena, device_id, NULL, timestamp, now_ms);
}

const char *announce_status_changed(struct arena *arena, const char *device_id, const char *name,
				    const char *type, const char *status, long long now_ms)
{
	struct station_event p;
	struct jw *w = station_event_begin(&p, arena, "device.statusChanged");
	device_named(w, device_id, name, type);
	jw_member_string(w, "status", status);
	return station_event_end(&p, arena, now_ms, false);
}

const char *announce_state_transition(struct arena *arena, const char *device_id, const char *key,
				      bool old_value, bool new_value, long long now_ms)
{
	struct station_event p;
	struct jw *w = station_event_begin(&p, arena, "device.stateTransition");
	jw_member_string(w, "deviceId", device_id);
	jw_member_string(w, "capabilityKey", key);
	jw_member_bool(w, "oldValue", old_value);
	jw_member_bool(w, "newValue", new_value);
	return station_event_end(&p, arena, now_ms, false);
}

/* data_text NULL: the short form. */
static const char *event_received(struct arena *arena, const char *device_id, const char *name,
				  const char *type, const char *event, const char *data_text, long long now_ms)
{
	struct station_event p;
	struct jw *w = station_event_begin(&p, arena, "device.eventReceived");
	device_named(w, device_id, name, type);
	jw_member_string(w, "event", event);
	if (data_text)
		jw_member_raw(w, "data", data_text);
	return station_event_end(&p, arena, now_ms, !data_text);
}

const char *announce_event_received(struct arena *arena, const char *device_id, const char *name,
				    const char *type, const char *event, struct json_object *data,
				    long long now_ms)
{
	const char *data_text = big_member(arena, data);
	const char *text = data_text ? event_received(arena, device_id, name, type, event, data_text, now_ms) : NULL;
	return text ? text : event_received(arena, device_id, name, type, event, NULL, now_ms);
}

const char *announce_command_sent(struct arena *arena, const char *device_id, const char *command_id,
				  const char *action, long long now_ms)
{
	struct station_event p;
	struct jw *w = station_event_begin(&p, arena, "device.commandSent");
	jw_member_string(w, "deviceId", device_id);
	jw_member_string(w, "commandId", command_id);
	jw_member_string(w, "action", action);
	return station_event_end(&p, arena, now_ms, false);
}

/* {…} of a device_events row (not an envelope: the row's own columns say the rest). */
const char *event_data_status(struct arena *arena, const char *status, const char *previous,
			      const char *reason)
{
	struct jw_text text;
	jw_object_of_strings(jw_text_begin(&text, arena), "from", previous, "to", status, "reason", reason, NULL);
	return text.b.data;
}

const char *event_data_transition(struct arena *arena, bool old_value, bool new_value)
{
	struct jw_text text;
	struct jw *w = jw_text_begin(&text, arena);
	jw_object_begin(w);
	jw_member_bool(w, "oldValue", old_value);
	jw_member_bool(w, "newValue", new_value);
	jw_object_end(w);
	return text.b.data;
}

const char *event_data_command(struct arena *arena, const char *command_id, const char *params_json)
{
	struct jw_text text;
	struct jw *w = jw_text_begin(&text, arena);
	jw_object_begin(w);
	jw_member_string(w, "commandId", command_id);
	jw_member_raw(w, "params", params_json ? params_json : "{}");
	jw_object_end(w);
	return text.b.data;
}
