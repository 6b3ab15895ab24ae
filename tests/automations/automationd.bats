#!/usr/bin/env bats
# automationd.bats — station-automationd runs published automations (SPEC §4 automations;
# docs/automations.md "Runs", docs/automationd.md): each trigger kind (a device event over
# MQTT — also one whose setting says notify:false, and two equal ones in one batch —, a
# state change, a status change, a
# schedule in the station's zone, a run made by hand), each condition (state_compare,
# time_range, both branches), each action (device_command through the command outbox,
# delay, webhook against a test HTTP server: 2xx, POST body, 500, timeout, redirect, a
# body cut for the output), and a run's steps with their outputs and errors.
#
# Automations are inserted as published rows (as the REST module writes them); devices are
# made through the API and speak MQTT with their own credentials. Every wait polls for a
# positive fact.

load ../helpers/common
load ../helpers/mqtt
load ../helpers/ws
load ../helpers/automations

MQTT_HOST=127.0.0.1

setup_file() {
  ensure_owner >/dev/null
  token_for admin >/dev/null
  token_for member >/dev/null
  mqtt_suite_ids au
  ws_setup
}

setup() {
  automationd_running || skip "station-automationd is not running"
}

teardown() {
  bg_reap
}

teardown_file() {
  mqttd_stop && mqttd_start # as the stack runs it (a test changes its batch interval)
  psql_exec "DELETE FROM automations WHERE name LIKE '$RUN%'" >/dev/null || true
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
  psql_exec "UPDATE station_settings SET timezone = 'UTC'" >/dev/null || true
}

# switch_and_lamp: a switch-pir (SW, SW_EXT, SW_TOKEN) and a light (LAMP, LAMP_EXT, LAMP_TOKEN).
switch_and_lamp() {
  new_device "sw$1" switch-pir
  SW=$DEVICE_ID SW_EXT=$EXT SW_TOKEN=$TOKEN
  new_device "lamp$1" light
  LAMP=$DEVICE_ID LAMP_EXT=$EXT LAMP_TOKEN=$TOKEN
}

press() { pub "$SW_EXT" "$SW_TOKEN" event '{"event":"user_event","data":{"action":"button_press"}}'; }
runs_are() { [ "$(run_count "$1" "${3:-}")" = "$2" ]; }

@test "a button press over MQTT runs its automation: toggle queued for the light, the run and its steps are rows, runCompleted is pushed" {
  switch_and_lamp 1
  local id run cmd
  id=$(automation_add "$RUN press" "$(flow \
    "$(node device_event_received "{\"deviceId\":\"$SW\",\"eventAction\":\"button_press\"}" t trigger),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"toggle\"}" a action)" \
    "$(edge t a)")")
  ws_bg w --token "$(token_for member)" --timeout 60
  press
  poll 15 runs_are "$id" 1 success
  run=$(last_run "$id")
  [ "$(run_field "$run" "trigger->>'kind'")" = device_event_received ]
  [ "$(run_field "$run" "trigger->>'nodeId'")" = t ]
  [ "$(step "$run" t .status)" = success ]
  [ "$(step "$run" t .output.data.action)" = button_press ]
  [ "$(step "$run" a .status)" = success ]
  [ "$(step "$run" a .output.action)" = toggle ]
  [ "$(step "$run" a .finished_at)" != null ]
  cmd=$(step "$run" a .output.commandId)
  [ "$(psql_exec "SELECT device_id || ' ' || action || ' ' || params::text FROM device_commands WHERE id = '$cmd'")" = "$LAMP toggle {}" ]
  [ "$(psql_exec "SELECT last_run_status FROM automations WHERE id = '$id'")" = success ]
  [ "$(psql_exec "SELECT last_run_at = (SELECT started_at FROM automation_runs WHERE id = '$run') FROM automations WHERE id = '$id'")" = t ]
  poll 10 got w ".type == \"automation.runCompleted\" and .data.runId == \"$run\" and .data.automationId == \"$id\" and .data.status == \"success\" and .data.automationName == \"$RUN press\""
  # Another event of the switch does not fire it; the next press does.
  pub "$SW_EXT" "$SW_TOKEN" event '{"event":"device_event","data":{"action":"motion_detected"}}'
  press
  poll 15 runs_are "$id" 2 success
  [ "$(commands_to "$LAMP" toggle)" = 2 ]
}

@test "a button pressed twice in one mqttd batch fires two runs, not one" {
  switch_and_lamp tw
  local id press='{"event":"user_event","data":{"action":"button_press"}}'
  id=$(automation_add "$RUN twice" "$(flow \
    "$(node device_event_received "{\"deviceId\":\"$SW\",\"eventAction\":\"button_press\"}" t trigger),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"toggle\"}" a action)" \
    "$(edge t a)")")
  # mqttd writes a message after a quiet spell at once and what follows it in one batch per
  # mqtt.batch_interval_ms: with a second of it, the two presses behind the first message
  # are two equal events of one transaction, whose notifications PostgreSQL would fold into
  # one were they the same text.
  mqttd_stop
  STATION_MQTT_BATCH_INTERVAL_MS=1000 mqttd_start
  pub "$SW_EXT" "$SW_TOKEN" event '{"event":"device_event","data":{"action":"motion_detected"}}'
  pub "$SW_EXT" "$SW_TOKEN" event "$press"
  pub "$SW_EXT" "$SW_TOKEN" event "$press"
  poll 15 runs_are "$id" 2 success
  [ "$(commands_to "$LAMP" toggle)" = 2 ]
}

@test "an event set notify:false (never on station_events) still fires its automation, through automation_events" {
  switch_and_lamp 2
  local id
  api_json PUT "/api/device-events/settings/$SW" '{"events":[{"action":"button_press","record":true,"notify":false}]}' \
    -H "Authorization: Bearer $(token_for admin)"
  assert_status 200
  id=$(automation_add "$RUN silent" "$(flow \
    "$(node device_event_received "{\"deviceId\":\"$SW\",\"eventAction\":\"button_press\"}" t trigger),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"turn_on\"}" a action)" \
    "$(edge t a)")")
  press
  poll 15 runs_are "$id" 1 success
  [ "$(commands_to "$LAMP" turn_on)" = 1 ]
}

@test "a state change fires on the edge of its comparison, not on every report" {
  switch_and_lamp 3
  local id
  id=$(automation_add "$RUN state" "$(flow \
    "$(node device_state_changed "{\"deviceId\":\"$LAMP\",\"capability\":\"on\",\"operator\":\"eq\",\"value\":true}" t trigger),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"set_brightness\",\"params\":{\"brightness\":40}}" a action)" \
    "$(edge t a)")")
  state() {
    pub "$LAMP_EXT" "$LAMP_TOKEN" state "{\"state\":{\"on\":$1}}"
    poll 10 eval "[ \"\$(psql_exec \"SELECT state->>'on' FROM devices WHERE id = '$LAMP'\")\" = $1 ]"
  }
  state true
  poll 15 runs_are "$id" 1 success
  [ "$(run_field "$(last_run "$id")" "trigger->>'value'")" = true ]
  state true # still true: no run
  state false
  state true
  poll 15 runs_are "$id" 2 success
  [ "$(run_count "$id")" = 2 ]
  [ "$(psql_exec "SELECT params->>'brightness' FROM device_commands WHERE device_id = '$LAMP' AND action = 'set_brightness' LIMIT 1")" = 40 ]
}

@test "a status change fires its trigger (device online after a heartbeat)" {
  switch_and_lamp 4
  local id
  id=$(automation_add "$RUN status" "$(flow \
    "$(node device_status_changed "{\"deviceId\":\"$SW\",\"status\":\"online\"}" t trigger),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"turn_off\"}" a action)" \
    "$(edge t a)")")
  pub "$SW_EXT" "$SW_TOKEN" heartbeat '{"status":"online"}'
  poll 15 runs_are "$id" 1 success
  [ "$(step "$(last_run "$id")" t .output.status)" = online ]
  [ "$(commands_to "$LAMP" turn_off)" = 1 ]
}

@test "a schedule fires at its minute in the station's time zone (America/New_York)" {
  switch_and_lamp 5
  local now target hm id run
  psql_exec "UPDATE station_settings SET timezone = 'America/New_York'" >/dev/null
  now=$(date +%s)
  # The next minute that is at least 10 s away: automationd must have the automation by then.
  target=$(((now + 10) / 60 * 60 + 60))
  hm=$(TZ=America/New_York date -d "@$target" '+%-M %-H')
  id=$(automation_add "$RUN schedule" "$(flow \
    "$(node schedule "{\"cron\":\"${hm% *} ${hm#* } * * *\"}" t trigger),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"toggle\"}" a action)" \
    "$(edge t a)")")
  poll 90 runs_are "$id" 1 success
  run=$(last_run "$id")
  [ "$(run_field "$run" "trigger->>'scheduledAt'")" = "$(date -u -d "@$target" '+%Y-%m-%dT%H:%M:%S.000Z')" ]
  [ "$(step "$run" t .output.timezone)" = America/New_York ]
  psql_exec "UPDATE station_settings SET timezone = 'UTC'" >/dev/null
}

@test "a run made by hand (row + NOTIFY automation_runs) runs from the manual trigger" {
  switch_and_lamp 6
  local id run
  id=$(automation_add "$RUN manual" "$(flow \
    "$(node manual '{}' t trigger),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"toggle\"}" a action)" \
    "$(edge t a)")")
  run=$(manual_run_done "$id")
  [ "$(run_field "$run" status)" = success ]
  [ "$(step "$run" t .output.kind)" = manual ]
  [ "$(step "$run" a .status)" = success ]
}

@test "state_compare takes its true branch or its false one; the branch not taken is skipped" {
  switch_and_lamp 7
  local id run
  id=$(automation_add "$RUN compare" "$(flow \
    "$(node manual '{}' t trigger),$(node state_compare "{\"deviceId\":\"$LAMP\",\"capability\":\"brightness\",\"operator\":\"gt\",\"value\":50}" c condition),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"turn_on\"}" on action),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"turn_off\"}" off action)" \
    "$(edge t c),$(edge c on true),$(edge c off false)")")
  psql_exec "UPDATE devices SET state = '{\"brightness\":80}' WHERE id = '$LAMP'" >/dev/null
  run=$(manual_run_done "$id")
  [ "$(run_field "$run" status)" = success ]
  [ "$(step "$run" c .output.result)" = true ]
  [ "$(step "$run" c .output.actual)" = 80 ]
  [ "$(step "$run" on .status)" = success ]
  [ "$(step "$run" off .status)" = skipped ]
  psql_exec "UPDATE devices SET state = '{\"brightness\":20}' WHERE id = '$LAMP'" >/dev/null
  run=$(manual_run_done "$id")
  [ "$(step "$run" c .output.result)" = false ]
  [ "$(step "$run" on .status)" = skipped ]
  [ "$(step "$run" off .status)" = success ]
}

@test "time_range holds the station's local time (a range around now, one that is not)" {
  switch_and_lamp 8
  local now zone inside outside id run
  now=$(date +%s)
  zone=$(psql_exec "SELECT timezone FROM station_settings")
  inside="{\"start\":\"$(TZ=$zone date -d "@$((now - 3600))" +%H:%M)\",\"end\":\"$(TZ=$zone date -d "@$((now + 3600))" +%H:%M)\"}"
  outside="{\"start\":\"$(TZ=$zone date -d "@$((now + 3600))" +%H:%M)\",\"end\":\"$(TZ=$zone date -d "@$((now + 7200))" +%H:%M)\"}"
  id=$(automation_add "$RUN range" "$(flow \
    "$(node manual '{}' t trigger),$(node time_range "$inside" in condition),$(node time_range "$outside" out condition),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"turn_on\"}" yes action),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"turn_off\"}" no action)" \
    "$(edge t in),$(edge t out),$(edge in yes true),$(edge out no false)")")
  run=$(manual_run_done "$id")
  [ "$(run_field "$run" status)" = success ]
  [ "$(step "$run" in .output.result)" = true ]
  [ "$(step "$run" out .output.result)" = false ]
  [[ "$(step "$run" in .output.localTime)" =~ ^[0-2][0-9]:[0-5][0-9]$ ]]
  [ "$(step "$run" yes .status)" = success ]
  [ "$(step "$run" no .status)" = success ]
}

@test "a command the device's type does not have fails its step and the run, with the reason" {
  switch_and_lamp 9
  local id run
  id=$(automation_add "$RUN bad command" "$(flow \
    "$(node manual '{}' t trigger),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"fly\"}" a action),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"toggle\"}" b action)" \
    "$(edge t a),$(edge a b)")")
  ws_bg w --token "$(token_for member)" --timeout 60
  run=$(manual_run_done "$id")
  [ "$(run_field "$run" status)" = failed ]
  [ "$(run_field "$run" error)" = "step a (device_command) failed" ]
  [ "$(step "$run" a .status)" = failed ]
  [ "$(step "$run" a .error)" = "command: not supported by light" ]
  [ "$(step "$run" b .status)" = skipped ]
  [ "$(commands_to "$LAMP")" = 0 ]
  [ "$(psql_exec "SELECT last_run_status FROM automations WHERE id = '$id'")" = failed ]
  poll 10 got w ".type == \"automation.runCompleted\" and .data.runId == \"$run\" and .data.status == \"failed\""
}

@test "a delay is a waiting step with its due time; what follows runs after it" {
  switch_and_lamp 10
  local id run
  id=$(automation_add "$RUN delay" "$(flow \
    "$(node manual '{}' t trigger),$(node delay '{"seconds":1}' d action),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"toggle\"}" a action)" \
    "$(edge t d),$(edge d a)")")
  run=$(manual_run "$id")
  poll 10 eval "[ \"\$(step $run d .status)\" = waiting ] || [ \"\$(step $run d .status)\" = success ]"
  [ "$(step "$run" d .due_at)" != null ]
  poll 15 run_done "$run"
  [ "$(run_field "$run" status)" = success ]
  [ "$(step "$run" d .output.seconds)" = 1 ]
  [ "$(step "$run" d .output.dueAt)" != null ]
  [[ "$(step "$run" d .output.lateMs)" =~ ^[0-9]+$ ]]
  [ "$(step "$run" a .status)" = success ]
  [ "$(psql_exec "SELECT (SELECT finished_at FROM automation_steps WHERE run_id = '$run' AND node_id = 'd') >= due_at FROM automation_steps WHERE run_id = '$run' AND node_id = 'd'")" = t ]
}

@test "webhooks: 2xx succeeds with status and body, POST sends the body, 500, a timeout and a redirect fail, a long body is cut, a binary one kept up to its NUL" {
  webhook_server_start
  local id run
  id=$(automation_add "$RUN hooks" "$(flow \
    "$(node manual '{}' t trigger),$(node webhook "{\"url\":\"$HOOK_URL/ok\",\"method\":\"GET\"}" ok action),$(node webhook "{\"url\":\"$HOOK_URL/ok\",\"method\":\"POST\",\"body\":{\"hello\":\"there\"}}" post action),$(node webhook "{\"url\":\"$HOOK_URL/fail\",\"method\":\"GET\"}" fail action),$(node webhook "{\"url\":\"$HOOK_URL/slow\",\"method\":\"GET\",\"timeoutMs\":500}" slow action),$(node webhook "{\"url\":\"$HOOK_URL/redirect\",\"method\":\"GET\"}" moved action),$(node webhook "{\"url\":\"$HOOK_URL/big\",\"method\":\"GET\"}" big action),$(node webhook "{\"url\":\"$HOOK_URL/nul\",\"method\":\"GET\"}" nul action)" \
    "$(edge t ok),$(edge t post),$(edge t fail),$(edge t slow),$(edge t moved),$(edge t big),$(edge t nul)")")
  run=$(manual_run "$id")
  poll 20 run_done "$run"
  [ "$(run_field "$run" status)" = failed ]
  [ "$(step "$run" ok .status)" = success ]
  [ "$(step "$run" ok .output.status)" = 200 ]
  [ "$(step "$run" ok .output.body)" = "hello from the test" ]
  [ "$(step "$run" post .status)" = success ]
  [ "$(jq -r 'select(.method == "POST") | .body' "$HOOK_LOG")" = '{"hello":"there"}' ]
  [ "$(step "$run" fail .status)" = failed ]
  [ "$(step "$run" fail .error)" = "HTTP 500" ]
  [ "$(step "$run" fail .output.body)" = "it broke" ]
  [ "$(step "$run" slow .status)" = failed ]
  [ "$(step "$run" slow .error)" = "timed out after 500 ms" ]
  [ "$(step "$run" moved .status)" = failed ]
  [ "$(step "$run" moved .error)" = "redirect not followed (HTTP 302)" ]
  [ "$(hook_requests /redirect)" = 1 ]
  [ "$(step "$run" big .status)" = success ]
  [ "$(step "$run" big .output.bodyTruncated)" = true ]
  [ "$(step "$run" big '.output.body | length')" = 1024 ] # automations.webhook_output_bytes
  [ "$(step "$run" nul .status)" = success ]
  [ "$(step "$run" nul .output.body)" = before ]
  [ "$(step "$run" nul .output.bodyTruncated)" = true ]
}
