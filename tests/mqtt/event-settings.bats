#!/usr/bin/env bats
# event-settings.bats — station-mqttd honours the device-events settings
# (docs/device-events.md, "Settings and presets"; docs/mqttd.md, "Event settings"): an event
# set `record: false` is not stored in device_events, one set `notify: false` is not pushed
# on station_events (seen by a real /ws client), and a change made through the API applies
# to the very next message, with the same mqttd process.
#
# Devices are created through the API with this run's prefix ($RUN) and speak MQTT with
# their own credentials; they are removed at the end (their settings go with them).
# Messages of one device are handled in the order they arrive, so "the later message was
# handled" proves "the earlier one was handled too": every wait is bounded polling for a
# positive fact, never a pause followed by a check of absence.

load ../helpers/common
load ../helpers/mqtt
load ../helpers/ws

MQTT_HOST=127.0.0.1

setup_file() {
  ensure_owner >/dev/null
  token_for admin >/dev/null
  token_for member >/dev/null
  mqtt_suite_ids es
  ws_setup
}

setup() {
  [ -s "$STATION_RUN_DIR/pid/station-mqttd.pid" ] && kill -0 "$(mqttd_pid)" 2>/dev/null ||
    skip "station-mqttd is not running"
}

teardown() {
  bg_reap
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}

mqttd_pid() { cat "$STATION_RUN_DIR/pid/station-mqttd.pid"; }

# settings_put DEVICE_ID EVENTS_JSON: PUT /api/device-events/settings/DEVICE_ID as admin.
settings_put() {
  api_json PUT "/api/device-events/settings/$1" "{\"events\":$2}" -H "Authorization: Bearer $(token_for admin)"
  assert_status 200
}

# event_count DEVICE_ID ACTION: event_received rows of that action.
event_count() {
  psql_exec "SELECT count(*) FROM device_events WHERE device_id = '$1' AND kind = 'event_received' AND action = '$2'"
}
events_are() { [ "$(event_count "$1" "$2")" = "$3" ]; }

event() { pub "$EXT" "$TOKEN" event "{\"event\":\"$1\",\"data\":{\"action\":\"$2\"}}"; }

# pushed NAME DEVICE_ID ACTION: client NAME received the device.eventReceived of that event.
pushed() { got "$1" ".type == \"device.eventReceived\" and .data.deviceId == \"$2\" and .data.data.action == \"$3\""; }

@test "a record:false event published over MQTT is not stored while a recorded one is; a change applies to the next message" {
  local pid
  pid=$(mqttd_pid)
  new_device rec switch-pir
  settings_put "$DEVICE_ID" '[{"action":"button_press","record":false,"notify":true}]'

  event user_event button_press
  event device_event motion_detected
  poll 5 events_are "$DEVICE_ID" motion_detected 1
  # Handled after button_press, so button_press was handled and not stored.
  events_are "$DEVICE_ID" button_press 0

  # Recorded again from the next message on, by the same mqttd.
  settings_put "$DEVICE_ID" '[{"action":"button_press","record":true,"notify":true}]'
  event user_event button_press
  poll 5 events_are "$DEVICE_ID" button_press 1
  [ "$(mqttd_pid)" = "$pid" ]
}

@test "a notify:false event is not pushed while a notified one is; its row is stored; a change applies to the next message" {
  local pid
  pid=$(mqttd_pid)
  new_device ntf switch-pir
  settings_put "$DEVICE_ID" '[{"action":"motion_detected","record":true,"notify":false}]'
  ws_bg a --token "$(token_for member)" --timeout 60

  event device_event motion_detected  # set notify:false
  event device_event motion_cleared   # notify:false by the switch-pir preset
  event user_event button_press       # notified
  poll 5 pushed a "$DEVICE_ID" button_press
  # Both earlier events were handled (stored) and neither reached the client.
  events_are "$DEVICE_ID" motion_detected 1
  events_are "$DEVICE_ID" motion_cleared 1
  refute pushed a "$DEVICE_ID" motion_detected
  refute pushed a "$DEVICE_ID" motion_cleared

  # Back to the presets: motion_detected is pushed from the next message on.
  settings_put "$DEVICE_ID" '[]'
  event device_event motion_detected
  poll 5 pushed a "$DEVICE_ID" motion_detected
  [ "$(mqttd_pid)" = "$pid" ]
}
