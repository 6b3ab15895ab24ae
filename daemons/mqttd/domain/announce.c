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

/* {…} of a device_events row (not an envelope: the row's own columns say the rest). */
struct payload {
	struct buf b;
	struct jw w;
};

const char *announce_state_changed(struct arena *arena, const char *device_id, struct json_object *state,
				   long long at_ms, long long now_ms)
{
	const char *timestamp = time_rfc3339_ms(arena, at_ms);
	struct station_event p;
	/* A state far larger than the limit is not even serialised into the payload. */
	const char *state_text = json_text(arena, state);
	if (strlen(state_text) <= NOTIFY_PAYLOAD_MAX) {
		struct jw *w = station_event_begin(&p, arena, "device.stateChanged");
		jw_member_string(w, "deviceId", device_id);
		jw_member_raw(w, "state", state_text);
		jw_member_string(w, "timestamp", timestamp);
		const char *text = station_event_end(&p, arena, now_ms, false);
		if (text)
			return text;
	}
	struct jw *w = station_event_begin(&p, arena, "device.stateChanged");
	jw_member_string(w, "deviceId", device_id);
	jw_member_string(w, "timestamp", timestamp);
	return station_event_end(&p, arena, now_ms, true);
}

const char *announce_status_changed(struct arena *arena, const char *device_id, const char *name,
				    const char *type, const char *status, long long now_ms)
{
	struct station_event p;
	struct jw *w = station_event_begin(&p, arena, "device.statusChanged");
	jw_member_string(w, "deviceId", device_id);
	jw_member_string(w, "deviceName", name);
	jw_member_string(w, "deviceType", type);
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

static void event_received_head(struct jw *w, const char *device_id, const char *name, const char *type,
				const char *event)
{
	jw_member_string(w, "deviceId", device_id);
	jw_member_string(w, "deviceName", name);
	jw_member_string(w, "deviceType", type);
	jw_member_string(w, "event", event);
}

const char *announce_event_received(struct arena *arena, const char *device_id, const char *name,
				    const char *type, const char *event, struct json_object *data,
				    long long now_ms)
{
	struct station_event p;
	const char *data_text = json_text(arena, data);
	if (strlen(data_text) <= NOTIFY_PAYLOAD_MAX) {
		struct jw *w = station_event_begin(&p, arena, "device.eventReceived");
		event_received_head(w, device_id, name, type, event);
		jw_member_raw(w, "data", data_text);
		const char *text = station_event_end(&p, arena, now_ms, false);
		if (text)
			return text;
	}
	struct jw *w = station_event_begin(&p, arena, "device.eventReceived");
	event_received_head(w, device_id, name, type, event);
	return station_event_end(&p, arena, now_ms, true);
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

/* {…} of a device_events row; the caller writes the members between begin and end. */
static struct jw *data_begin(struct arena *arena, struct payload *p)
{
	buf_init(&p->b, arena);
	jw_init(&p->w, &p->b);
	jw_object_begin(&p->w);
	return &p->w;
}

static const char *data_end(struct payload *p)
{
	jw_object_end(&p->w);
	return p->b.data;
}

const char *event_data_status(struct arena *arena, const char *status, const char *previous,
			      const char *reason)
{
	struct payload p;
	struct jw *w = data_begin(arena, &p);
	jw_member_string(w, "from", previous);
	jw_member_string(w, "to", status);
	jw_member_string(w, "reason", reason);
	return data_end(&p);
}

const char *event_data_transition(struct arena *arena, bool old_value, bool new_value)
{
	struct payload p;
	struct jw *w = data_begin(arena, &p);
	jw_member_bool(w, "oldValue", old_value);
	jw_member_bool(w, "newValue", new_value);
	return data_end(&p);
}

const char *event_data_command(struct arena *arena, const char *command_id, const char *params_json)
{
	struct payload p;
	struct jw *w = data_begin(arena, &p);
	jw_member_string(w, "commandId", command_id);
	jw_member_raw(w, "params", params_json ? params_json : "{}");
	return data_end(&p);
}
