#!/usr/bin/env bats
# durability.bats — a run survives station-automationd (docs/automations.md "Durability"):
# killed with -9 during a delay and restarted at once, the action after the delay runs
# exactly once; restarted after the due time, the delay ends once, late, its lateness in
# its output; killed while a webhook was in flight, that step is marked failed with the
# reason (the request is not sent again) and the run ends failed; two instances at once:
# one runs, the other stands by, and takes over when the runner dies — no step twice;
# PostgreSQL restarted under a waiting delay: automationd reconnects, takes the runner lock
# again and ends the delay once.

load ../helpers/common
load ../helpers/mqtt
load ../helpers/automations

MQTT_HOST=127.0.0.1

setup_file() {
  ensure_owner >/dev/null
  token_for admin >/dev/null
  mqtt_suite_ids du
}

setup() {
  automationd_running || skip "station-automationd is not running"
}

teardown() {
  bg_reap
  db_restart_if_stopped
  automationd_running || automationd_start
}

teardown_file() {
  psql_exec "DELETE FROM automations WHERE name LIKE '$RUN%'" >/dev/null || true
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}

lamp() {
  new_device "lamp$1" light
  LAMP=$DEVICE_ID
}

# manual → delay SECONDS → toggle of $LAMP
delayed_toggle() {
  automation_add "$RUN $1" "$(flow \
    "$(node manual '{}' t trigger),$(node delay "{\"seconds\":$2}" d action),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"toggle\"}" a action)" \
    "$(edge t d),$(edge d a)")"
}

step_is() { [ "$(step "$1" "$2" .status)" = "$3" ]; }

@test "kill -9 during a 5 s delay, restart at once: the action after it runs exactly once" {
  lamp 1
  local id run
  id=$(delayed_toggle "kill during delay" 5)
  run=$(manual_run "$id")
  poll 10 step_is "$run" d waiting
  automationd_kill9
  automationd_start
  poll 20 run_done "$run"
  [ "$(run_field "$run" status)" = success ]
  step_is "$run" d success
  step_is "$run" a success
  [[ "$(step "$run" d .output.lateMs)" =~ ^[0-9]+$ ]]
  [ "$(commands_to "$LAMP" toggle)" = 1 ]
  [ "$(psql_exec "SELECT count(*) FROM automation_steps WHERE run_id = '$run'")" = 3 ]
}

@test "restarted after the due time: the delay ends once, at once, late, with its lateness in its output" {
  lamp 2
  local id run
  id=$(delayed_toggle "restart late" 2)
  run=$(manual_run "$id")
  poll 10 step_is "$run" d waiting
  automationd_kill9
  poll 15 eval "[ \"\$(psql_exec \"SELECT now() > due_at + interval '1.5 seconds' FROM automation_steps WHERE run_id = '$run' AND node_id = 'd'\")\" = t ]"
  automationd_start
  poll 15 run_done "$run"
  [ "$(run_field "$run" status)" = success ]
  [ "$(step "$run" d .output.late)" = true ]
  [ "$(step "$run" d .output.lateMs)" -ge 1500 ]
  [ "$(commands_to "$LAMP" toggle)" = 1 ]
}

@test "killed while a webhook is in flight: the step is marked failed with the reason, not sent again; the run fails" {
  webhook_server_start
  local id run
  id=$(automation_add "$RUN interrupted" "$(flow \
    "$(node manual '{}' t trigger),$(node webhook "{\"url\":\"$HOOK_URL/hang\",\"method\":\"GET\",\"timeoutMs\":10000}" w action)" \
    "$(edge t w)")")
  run=$(manual_run "$id")
  poll 10 eval "[ \"\$(hook_requests /hang)\" = 1 ]"
  step_is "$run" w running
  automationd_kill9
  automationd_start
  poll 15 run_done "$run"
  [ "$(run_field "$run" status)" = failed ]
  step_is "$run" w failed
  [ "$(step "$run" w .error)" = "interrupted: automationd stopped while the step ran" ]
  [ "$(hook_requests /hang)" = 1 ]
}

@test "two instances at once: one runs, one stands by and takes over when the runner dies; no step runs twice" {
  new_device sw switch-pir
  local sw=$DEVICE_ID sw_ext=$EXT sw_token=$TOKEN id second log=$BATS_TEST_TMPDIR/second.log r
  lamp 3
  setsid "$STATION_BUILD_DIR/station-automationd" </dev/null >"$log" 2>&1 3>&- &
  second=$!
  bg_track $second
  poll 10 grep -q '"msg":"standby: another station-automationd holds the runner lock"' "$log"
  id=$(automation_add "$RUN two" "$(flow \
    "$(node device_event_received "{\"deviceId\":\"$sw\",\"eventAction\":\"button_press\"}" t trigger),$(node delay '{"seconds":3}' d action),$(node device_command "{\"deviceId\":\"$LAMP\",\"command\":\"toggle\"}" a action)" \
    "$(edge t d),$(edge d a)")")
  # One press at a time: identical notifications of one transaction reach a listener once
  # (PostgreSQL folds them), so two presses in one telemetry batch would be one run.
  for r in 1 2 3; do
    pub "$sw_ext" "$sw_token" event '{"event":"user_event","data":{"action":"button_press"}}'
    poll 10 eval "[ \"\$(run_count $id)\" = $r ]"
  done
  poll 10 eval "[ \"\$(psql_exec \"SELECT count(*) FROM automation_steps s JOIN automation_runs r ON r.id = s.run_id WHERE r.automation_id = '$id' AND s.node_id = 'd'\")\" = 3 ]"
  [ "$(run_count "$id")" = 3 ]
  automationd_kill9
  poll 15 grep -q '"msg":"runner lock taken: this instance runs the automations"' "$log"
  poll 20 eval "[ \"\$(run_count $id success)\" = 3 ]"
  [ "$(run_count "$id")" = 3 ]
  [ "$(commands_to "$LAMP" toggle)" = 3 ]
  for r in $(psql_exec "SELECT id FROM automation_runs WHERE automation_id = '$id'"); do
    [ "$(psql_exec "SELECT string_agg(node_id || ':' || status, ' ' ORDER BY node_id) FROM automation_steps WHERE run_id = '$r'")" = "a:success d:success t:success" ]
  done
  stop_gracefully "$second"
  automationd_start
}

@test "PostgreSQL restarted under a waiting delay: automationd reconnects, runs again, and the delay ends once" {
  lamp 4
  local id run size
  id=$(delayed_toggle "database restart" 3)
  run=$(manual_run "$id")
  poll 10 step_is "$run" d waiting
  size=$(automationd_size)
  "$STATION_SRC_DIR/scripts/dev" db stop >/dev/null
  "$STATION_SRC_DIR/scripts/dev" db start >/dev/null 3>&-
  poll 30 automationd_logged_since "$size" '"msg":"runner lock taken: this instance runs the automations"'
  poll 15 run_done "$run"
  [ "$(run_field "$run" status)" = success ]
  step_is "$run" a success
  [ "$(commands_to "$LAMP" toggle)" = 1 ]
  automationd_running
}
