/*
 * announce.h — what mqttd tells the rest of the station: the NOTIFY payloads on
 * `station_events` (SPEC §6) and the `data` of device_events rows.
 *
 * A NOTIFY payload is libstation's station_event envelope, {"type":…,"data":{…},
 * "ts":"<RFC 3339 ms UTC>"}, and must stay under PostgreSQL's 8000-byte limit, or the
 * whole transaction would fail. Every builder here returns a payload that fits, or NULL
 * when even its short form cannot (the caller then skips the announcement, never the
 * transaction); a short form carries "truncated":true next to "ts":
 *
 *   device.stateChanged     {deviceId,state,timestamp}; too large → state omitted
 *   device.statusChanged    {deviceId,deviceName,deviceType,status}
 *   device.eventReceived    {deviceId,deviceName,deviceType,event,data}; too large → data omitted
 *   device.stateTransition  {deviceId,capabilityKey,oldValue,newValue}
 *   device.commandSent      {deviceId,commandId,action}
 *
 * deviceId is always the station's UUID of the device (devices.id). JSON is written by
 * lib/json_writer; values that came from a device are copied as json-c serialises them.
 * Pure: the clock is a parameter.
 */
#ifndef MQTTD_DOMAIN_ANNOUNCE_H
#define MQTTD_DOMAIN_ANNOUNCE_H

#include <json-c/json.h>
#include <stdbool.h>

#include "arena.h"
#include "notify.h"

const char *announce_state_changed(struct arena *arena, const char *device_id, struct json_object *state,
				   long long at_ms, long long now_ms);
const char *announce_status_changed(struct arena *arena, const char *device_id, const char *name,
				    const char *type, const char *status, long long now_ms);
const char *announce_state_transition(struct arena *arena, const char *device_id, const char *key,
				      bool old_value, bool new_value, long long now_ms);
const char *announce_event_received(struct arena *arena, const char *device_id, const char *name,
				    const char *type, const char *event, struct json_object *data,
				    long long now_ms);
const char *announce_command_sent(struct arena *arena, const char *device_id, const char *command_id,
				  const char *action, long long now_ms);

/* device_events.data of a status_changed row: {"from","to","reason"} (the shape
 * station-cron heartbeat-timeout writes too, docs/maintenance.md). */
const char *event_data_status(struct arena *arena, const char *status, const char *previous,
			      const char *reason);
/* … of a state_transition row: {"oldValue","newValue"}. */
const char *event_data_transition(struct arena *arena, bool old_value, bool new_value);
/* … of a command_sent row: {"commandId","params"} (params: jsonb text, NULL for {}). */
const char *event_data_command(struct arena *arena, const char *command_id, const char *params_json);

#endif
