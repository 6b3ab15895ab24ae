#!/usr/bin/env bats
# mqttd.bats — station-mqttd, the device core (SPEC §5), against the running dev stack:
# handshakes (ok / unknown_device / silence while PostgreSQL is down), state merging,
# transitions, events, heartbeats and Last Wills, heartbeat reconciliation at start, the
# command outbox (delivery, expiry while stopped), hostile payloads, honest start-up.
#
# Devices are created through the API with this run's prefix ($RUN) and removed at the
# end. Devices speak with their own credentials (username = external id, password =
# device token, client id = external id), so the suite passes whether or not the broker
# checks them. Waiting is done by bounded polling, never by sleeping and hoping.
#
# Some tests stop shared parts of the stack (PostgreSQL, mqttd itself); teardown starts
# them again even when a test fails. mqttd is restarted the way scripts/dev starts it. One
# test runs a private mqttd (the stack's stopped meanwhile: they share a client id) whose
# database stops answering, through tests/helpers/pg_stall.py.

load ../helpers/common
load ../helpers/mqtt
load ../helpers/pg_stall

MQTT_HOST=127.0.0.1

setup_file() {
  ensure_owner >/dev/null
  token_for admin >/dev/null
  token_for member >/dev/null
  mqtt_suite_ids mq
  [ -x "$STATION_BUILD_DIR/station-mqttd" ]
  mqttd_running || mqttd_start
}

teardown() {
  bg_reap
  private_mqttd_stop
  stall_stop
  db_restart_if_stopped
  mqttd_running || mqttd_start
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}

# ---- helpers ------------------------------------------------------------------------

# handshake EXT TOKEN TYPE [WAIT_S]: publishes a handshake, prints the ack (exit 27: none).
handshake() {
  mosquitto_rr -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$1" -P "$2" -i "$1" -q 1 \
    -t "$(topic "$1" handshake)" -e "$(topic "$1" handshake/ack)" -W "${4:-5}" \
    -m "{\"type\":\"$3\",\"firmwareVersion\":\"0.1.32\",\"chip\":\"ESP32-D0WD-V3\",\"kit_tag\":\"k-$RUN\"}"
}

device_field() {
  api GET "/api/devices/$1" -H "Authorization: Bearer $(token_for member)" || return 1
  [ "$status_code" = 200 ] || return 1
  json_field "$2"
}

# device_is ID FILTER EXPECTED: true when jq FILTER on the device prints EXPECTED.
device_is() { [ "$(device_field "$1" "$2")" = "$3" ]; }

events_of() {
  psql_exec "SELECT kind || ':' || coalesce(action, '') FROM device_events WHERE device_id = '$1' ORDER BY created_at, kind, action"
}

# count_events ID KIND [ACTION]: how many device_events rows.
count_events() {
  psql_exec "SELECT count(*) FROM device_events WHERE device_id = '$1' AND kind = '$2' ${3:+AND action = '$3'}"
}

# has_events ID KIND N [ACTION]: at least N such rows.
has_events() { [ "$(count_events "$1" "$2" "${4:-}")" -ge "$3" ]; }

command_is() { [ "$(psql_exec "SELECT status FROM device_commands WHERE id = '$1'")" = "$2" ]; }

# ---- a private mqttd ---------------------------------------------------------------

# private_mqttd_start VAR=VALUE…: mqttd with these settings instead of the stack's (which
# must be stopped), logging into the same log; sets PRIV_MQTTD; waits for the broker.
private_mqttd_start() {
  local size
  size=$(stat -c %s "$(mqttd_log)" 2>/dev/null || echo 0)
  env "$@" ASAN_OPTIONS=abort_on_error=0:halt_on_error=1:detect_leaks=0:detect_stack_use_after_return=1 \
    "$STATION_BUILD_DIR/station-mqttd" </dev/null >>"$(mqttd_log)" 2>&1 3>&- 9>&- &
  PRIV_MQTTD=$!
  poll 30 log_since_has "$size" '"msg":"broker connected"'
}

private_mqttd_stop() {
  [ -n "${PRIV_MQTTD:-}" ] || return 0
  stop_gracefully "$PRIV_MQTTD"
  PRIV_MQTTD=
}

# devsim_start CREDENTIALS_FILE OUT: devsim printing commands and acks into OUT.
devsim_start() {
  "$STATION_BUILD_DIR/devsim" --station-id "$STATION_ID" --credentials "$1" --print-commands \
    --log-level warn >"$2" 2>"$2.log" 3>&- &
  DEVSIM=$!
  bg_track $DEVSIM
}

# received OUT EXT SUFFIX [JQ_FILTER]: true when devsim printed such a message.
received() {
  jq -e -c --arg d "$2" --arg s "/$3" "select(.deviceId == \$d and (.topic | endswith(\$s)))${4:+ | select($4)}" \
    "$1" >/dev/null 2>&1
}

# ---- handshakes ---------------------------------------------------------------------

@test "handshake of a registered device: ok, firmware recorded, online, status_changed" {
  new_device hs-ok light
  run handshake "$EXT" "$TOKEN" light
  [ "$status" -eq 0 ]
  [ "$output" = '{"status":"ok"}' ]

  device_is "$DEVICE_ID" .status online
  device_is "$DEVICE_ID" .firmwareVersion 0.1.32
  device_is "$DEVICE_ID" .chip ESP32-D0WD-V3
  device_is "$DEVICE_ID" .kitTag "k-$RUN"
  [ "$(device_field "$DEVICE_ID" .lastHeartbeatAt)" != null ]
  [ "$(psql_exec "SELECT (data->>'from') || '>' || (data->>'to') || ' ' || (data->>'reason')
      FROM device_events WHERE device_id = '$DEVICE_ID' AND kind = 'status_changed'")" = "unknown>online handshake" ]

  # A second handshake while online: ok again, no second status change.
  run handshake "$EXT" "$TOKEN" light
  [ "$output" = '{"status":"ok"}' ]
  [ "$(count_events "$DEVICE_ID" status_changed)" -eq 1 ]
}

@test "handshake reporting another type: still ok, a warning is logged" {
  new_device hs-type light
  run handshake "$EXT" "$TOKEN" climate
  [ "$output" = '{"status":"ok"}' ]
  poll 2 grep -q "handshake type differs.*\"deviceId\":\"$EXT\"" "$(mqttd_log)"
}

@test "handshake of an unknown device: unknown_device" {
  # The broker refuses unknown devices' logins, so the handshake is published (and its
  # answer read) with the daemons' credentials: what is tested is mqttd's verdict.
  local secret ext="$RUN-nobody"
  secret=$(head -n 1 "$STATION_RUN_DIR/secrets/mqtt_password")
  run mosquitto_rr -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u station-mqttd -P "$secret" -i "rr-$ext" -q 1 \
    -t "$(topic "$ext" handshake)" -e "$(topic "$ext" handshake/ack)" -W 5 \
    -m '{"type":"light","firmwareVersion":"0.1.32","chip":"ESP32-D0WD-V3"}'
  [ "$status" -eq 0 ]
  [ "$output" = '{"status":"unknown_device"}' ]
}

@test "PostgreSQL stopped: a handshake gets no ack at all; started again: the next handshake gets ok" {
  new_device hs-db light
  local pid
  pid=$(mqttd_pid)
  # The device listens for its ack while the database is still up (the broker checks
  # logins against it); the handshake itself is then published with the daemons'
  # credentials, which the broker checks without the database.
  local acks="$BATS_TEST_TMPDIR/acks"
  mosquitto_sub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$EXT" -P "$TOKEN" -i "$EXT-ack" -q 1 \
    -t "$(topic "$EXT" handshake/ack)" >"$acks" 2>&1 3>&- &
  local sub=$!
  sleep 0.5
  "$STATION_SRC_DIR/scripts/dev" db stop

  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u station-mqttd \
    -P "$(head -n 1 "$STATION_RUN_DIR/secrets/mqtt_password")" -q 1 -t "$(topic "$EXT" handshake)" \
    -m '{"type":"light","firmwareVersion":"0.1.32","chip":"ESP32-D0WD-V3"}'
  sleep 3 # silence is what is asserted: give mqttd time to (wrongly) answer
  kill "$sub" 2>/dev/null || true
  [ ! -s "$acks" ] || { echo "got an ack while the database was down: $(cat "$acks")" >&2; false; }

  "$STATION_SRC_DIR/scripts/dev" db start 3>&-
  local answer="" i
  for ((i = 0; i < 40; i++)); do
    answer=$(handshake "$EXT" "$TOKEN" light 2 2>/dev/null) && break
    [ -z "$answer" ] # silence until the database is back, never unknown_device
    sleep 0.25 # the broker's login check reconnects to the database on its own schedule
  done
  [ "$answer" = '{"status":"ok"}' ]
  [ "$(mqttd_pid)" = "$pid" ]  # the same process survived the outage
  device_is "$DEVICE_ID" .status online
}

@test "a database that accepts and never answers does not stall mqttd: it serves the broker, then catches up" {
  new_device stall climate
  stall_start
  mqttd_stop
  # An hour for one attempt: a loop that waited for it would serve nothing in this test.
  private_mqttd_start STATION_DB_CONNINFO="$STALL_CONNINFO" STATION_DB_CONNECT_TIMEOUT=3600
  local size
  size=$(stat -c %s "$(mqttd_log)")
  stall_hold # the connection is cut; the next attempt is accepted and never answered
  poll 10 log_since_has "$size" '"msg":"database unavailable; retrying with backoff"'
  poll 10 eval '[ "$(stall_count held)" -ge 1 ]'

  # The loop goes on reading the broker: a bad message is dropped and logged at once, a
  # good one is queued.
  pub "$EXT" "$TOKEN" state '{"state":"not an object"}'
  poll 10 log_since_has "$size" "\"msg\":\"message dropped\".*\"deviceId\":\"$EXT\""
  pub "$EXT" "$TOKEN" state '{"state":{"temperature":19.5}}'
  refute log_since_has "$size" '"msg":"database unreachable' # the attempt was still waiting
  kill -0 "$PRIV_MQTTD"

  stall_release # the held attempt fails; the next one goes through and the queue is written
  poll 10 log_since_has "$size" '"msg":"database connected again"'
  poll 10 device_is "$DEVICE_ID" '.state | tojson' '{"temperature":19.5}'
  log_since_has "$size" '"msg":"listening for device commands again"'
  private_mqttd_stop
  mqttd_start
}

# ---- telemetry ----------------------------------------------------------------------

@test "state reports merge key by key into the device's state (seen through the API)" {
  new_device st-merge light
  pub "$EXT" "$TOKEN" state '{"state":{"on":false,"brightness":10}}'
  pub "$EXT" "$TOKEN" state '{"state":{"brightness":75}}'
  poll 3 device_is "$DEVICE_ID" '.state | tojson' '{"on":false,"brightness":75}'
  # A state report from a device that was not online brings it online.
  device_is "$DEVICE_ID" .status online
  [ "$(count_events "$DEVICE_ID" status_changed online)" -eq 1 ]
  [ "$(device_field "$DEVICE_ID" .lastSeenAt)" != null ]
}

@test "a boolean capability that flips writes state_transition rows; unchanged or non-boolean keys do not" {
  new_device st-flip light
  pub "$EXT" "$TOKEN" state '{"state":{"on":false,"brightness":10}}'
  poll 3 device_is "$DEVICE_ID" .state.on false
  pub "$EXT" "$TOKEN" state '{"state":{"on":true}}'
  pub "$EXT" "$TOKEN" state '{"state":{"on":true,"brightness":20}}'
  pub "$EXT" "$TOKEN" state '{"state":{"on":false}}'
  poll 3 has_events "$DEVICE_ID" state_transition 2
  [ "$(psql_exec "SELECT string_agg(action || ':' || (data->>'oldValue') || '>' || (data->>'newValue'), ' ' ORDER BY created_at)
      FROM device_events WHERE device_id = '$DEVICE_ID' AND kind = 'state_transition'")" = "on:false>true on:true>false" ]
  poll 3 device_is "$DEVICE_ID" '.state | tojson' '{"on":false,"brightness":20}'
}

@test "a burst of state messages is merged in order and written in a few transactions" {
  new_device st-burst light
  pub "$EXT" "$TOKEN" state '{"state":{"on":false,"brightness":0}}'
  poll 3 device_is "$DEVICE_ID" .state.on false
  local i
  for ((i = 1; i <= 200; i++)); do
    if ((i % 2)); then echo "{\"state\":{\"on\":true,\"brightness\":$i}}"; else echo "{\"state\":{\"on\":false,\"brightness\":$i}}"; fi
  done | mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$EXT" -P "$TOKEN" -i "$EXT" -q 1 \
    -t "$(topic "$EXT" state)" -l
  poll 10 has_events "$DEVICE_ID" state_transition 200
  [ "$(count_events "$DEVICE_ID" state_transition)" -eq 200 ]
  poll 3 device_is "$DEVICE_ID" '.state | tojson' '{"on":false,"brightness":200}'
  # Every row of a transaction carries its transaction id (xmin): 200 flips, few transactions.
  local transactions
  transactions=$(psql_exec "SELECT count(DISTINCT xmin::text) FROM device_events
      WHERE device_id = '$DEVICE_ID' AND kind = 'state_transition'")
  echo "# 200 state messages were written in $transactions transactions" >&3
  [ "$transactions" -lt 50 ]
  # Order kept: each transition starts where the previous one ended.
  [ "$(psql_exec "SELECT count(*) FROM (SELECT data->>'oldValue' AS o, lag(data->>'newValue') OVER (ORDER BY created_at, id) AS p
      FROM device_events WHERE device_id = '$DEVICE_ID' AND kind = 'state_transition') t WHERE p IS NOT NULL AND p <> o")" -eq 0 ]
}

@test "events are recorded as event_received with the whole payload" {
  new_device ev switch-pir
  pub "$EXT" "$TOKEN" event '{"event":"user_event","data":{"action":"button_press"}}'
  pub "$EXT" "$TOKEN" event '{"event":"device_event","data":{"action":"motion_detected","zone":2}}'
  poll 3 has_events "$DEVICE_ID" event_received 2
  [ "$(psql_exec "SELECT string_agg(action || ' ' || data::text, ' | ' ORDER BY created_at)
      FROM device_events WHERE device_id = '$DEVICE_ID' AND kind = 'event_received'")" = \
    'button_press {"data": {"action": "button_press"}, "event": "user_event"} | motion_detected {"data": {"zone": 2, "action": "motion_detected"}, "event": "device_event"}' ]
}

@test "heartbeats: online marks the device online; the Last Will of a killed devsim marks it offline within a second" {
  new_device lw pir
  local creds="$BATS_TEST_TMPDIR/creds"
  echo "$EXT pir $TOKEN" >"$creds"
  devsim_start "$creds" "$BATS_TEST_TMPDIR/out"
  poll 10 device_is "$DEVICE_ID" .status online
  poll 5 received "$BATS_TEST_TMPDIR/out" "$EXT" handshake/ack '.payload.status == "ok"'
  [ "$(device_field "$DEVICE_ID" .lastHeartbeatAt)" != null ]

  kill -9 "$DEVSIM"
  local killed_at
  killed_at=$(now_ms)
  poll 1 device_is "$DEVICE_ID" .status offline
  echo "# offline $(($(now_ms) - killed_at)) ms after kill -9" >&3
  [ "$(psql_exec "SELECT data->>'reason' FROM device_events WHERE device_id = '$DEVICE_ID'
      AND kind = 'status_changed' AND action = 'offline'")" = last_will ]

  # A plain heartbeat brings it back.
  pub "$EXT" "$TOKEN" heartbeat '{"status":"online"}'
  poll 2 device_is "$DEVICE_ID" .status online
}

@test "at start, devices online whose heartbeat is older than mqtt.heartbeat_timeout become offline" {
  new_device rc-stale climate
  local stale=$DEVICE_ID
  new_device rc-fresh climate
  local fresh=$DEVICE_ID
  new_device rc-seen climate
  local seen=$DEVICE_ID
  local size
  size=$(stat -c %s "$(mqttd_log)")
  mqttd_stop
  log_since_has "$size" '"msg":"stopped"' # SIGTERM: a clean stop
  psql_exec "UPDATE devices SET status = 'online', last_heartbeat_at = now() - interval '1 hour' WHERE id = '$stale';
             UPDATE devices SET status = 'online', last_heartbeat_at = now() - interval '5 seconds' WHERE id = '$fresh';
             UPDATE devices SET status = 'online', last_heartbeat_at = NULL, last_seen_at = now() - interval '1 day' WHERE id = '$seen'"
  mqttd_start
  poll 5 device_is "$stale" .status offline
  device_is "$seen" .status offline
  device_is "$fresh" .status online
  [ "$(psql_exec "SELECT data->>'reason' FROM device_events WHERE device_id = '$stale' AND kind = 'status_changed'")" = heartbeat_timeout ]
  [ "$(count_events "$fresh" status_changed)" -eq 0 ]
}

# ---- commands -----------------------------------------------------------------------

@test "a command reaches devsim's light within a second, is marked sent, and the light's new state reaches the API" {
  new_device cmd light
  local creds="$BATS_TEST_TMPDIR/creds" out="$BATS_TEST_TMPDIR/out"
  echo "$EXT light $TOKEN" >"$creds"
  devsim_start "$creds" "$out"
  poll 10 received "$out" "$EXT" handshake/ack '.payload.status == "ok"'
  poll 5 device_is "$DEVICE_ID" .state.on false

  local sent_at
  sent_at=$(now_ms)
  api_json POST "/api/devices/$DEVICE_ID/command" '{"action":"set_brightness","brightness":42}' \
    -H "Authorization: Bearer $(token_for member)"
  assert_status 202
  local command_id
  command_id=$(json_field .commandId)
  poll 1 received "$out" "$EXT" command '.payload.action == "set_brightness"'
  echo "# command received $(($(now_ms) - sent_at)) ms after the POST" >&3
  [ "$(jq -c --arg d "$EXT" 'select(.deviceId == $d and (.topic | endswith("/command"))) | .payload' "$out")" = \
    '{"action":"set_brightness","brightness":42}' ]

  poll 3 device_is "$DEVICE_ID" .state.brightness 42
  poll 3 command_is "$command_id" sent
  [ "$(psql_exec "SELECT sent_at IS NOT NULL FROM device_commands WHERE id = '$command_id'")" = t ]
  poll 3 has_events "$DEVICE_ID" command_sent 1 set_brightness
  [ "$(psql_exec "SELECT data->>'commandId' FROM device_events WHERE device_id = '$DEVICE_ID' AND kind = 'command_sent'")" = "$command_id" ]

  api_json POST "/api/devices/$DEVICE_ID/command" '{"action":"turn_on"}' -H "Authorization: Bearer $(token_for member)"
  assert_status 202
  poll 3 device_is "$DEVICE_ID" .state.on true
  poll 3 has_events "$DEVICE_ID" state_transition 1 on
}

@test "a command that expired while mqttd was stopped is never delivered; a live one is, after the start" {
  new_device cmd-exp light
  local creds="$BATS_TEST_TMPDIR/creds" out="$BATS_TEST_TMPDIR/out"
  echo "$EXT light $TOKEN" >"$creds"
  devsim_start "$creds" "$out"
  poll 10 received "$out" "$EXT" handshake/ack '.payload.status == "ok"'
  poll 5 device_is "$DEVICE_ID" .status online

  mqttd_stop
  api_json POST "/api/devices/$DEVICE_ID/command" '{"action":"turn_on"}' -H "Authorization: Bearer $(token_for member)"
  assert_status 202
  local expired
  expired=$(json_field .commandId)
  psql_exec "UPDATE device_commands SET expires_at = now() - interval '1 second' WHERE id = '$expired'"
  api_json POST "/api/devices/$DEVICE_ID/command" '{"action":"set_brightness","brightness":7}' \
    -H "Authorization: Bearer $(token_for member)"
  assert_status 202
  local live
  live=$(json_field .commandId)

  mqttd_start
  poll 5 received "$out" "$EXT" command '.payload.action == "set_brightness"'
  refute received "$out" "$EXT" command '.payload.action == "turn_on"'
  [ "$(psql_exec "SELECT status || ' ' || (sent_at IS NULL) FROM device_commands WHERE id = '$expired'")" != "sent f" ]
  [ "$(psql_exec "SELECT sent_at IS NULL FROM device_commands WHERE id = '$expired'")" = t ]
  poll 3 command_is "$live" sent
}

# ---- hostile input --------------------------------------------------------------------

@test "hostile payloads are logged and dropped; mqttd stays up and processes the next valid message" {
  new_device bad climate
  local pid size big deep
  pid=$(mqttd_pid)
  size=$(stat -c %s "$(mqttd_log)")
  head -c 4096 /dev/urandom >"$BATS_TEST_TMPDIR/random"
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$EXT" -P "$TOKEN" -i "$EXT" -q 1 \
    -t "$(topic "$EXT" state)" -f "$BATS_TEST_TMPDIR/random"
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$EXT" -P "$TOKEN" -i "$EXT" -q 1 \
    -t "$(topic "$EXT" handshake)" -f "$BATS_TEST_TMPDIR/random"
  # Valid JSON one byte over mqtt.max_payload (the broker refuses far larger packets
  # itself: broker-limits.bats).
  big="$BATS_TEST_TMPDIR/big"
  { printf '{"state":{"blob":"HOSTILE-MARKER'; head -c $((65537 - 35)) /dev/zero | tr '\0' x; printf '"}}'; } >"$big"
  [ "$(stat -c %s "$big")" -eq 65537 ]
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$EXT" -P "$TOKEN" -i "$EXT" -q 1 \
    -t "$(topic "$EXT" state)" -f "$big"
  # Nesting 10 000 deep.
  deep="$BATS_TEST_TMPDIR/deep"
  { printf '{"state":{"HOSTILE-MARKER":'; head -c 10000 /dev/zero | tr '\0' '['; head -c 10000 /dev/zero | tr '\0' ']'; printf '}}'; } >"$deep"
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$EXT" -P "$TOKEN" -i "$EXT" -q 1 \
    -t "$(topic "$EXT" state)" -f "$deep"
  # Wrong shapes and types.
  pub "$EXT" "$TOKEN" state '{"state":"HOSTILE-MARKER"}'
  pub "$EXT" "$TOKEN" state '[{"state":{}}]'
  pub "$EXT" "$TOKEN" state '{"state":{"t":"a\u0000HOSTILE-MARKER"}}'
  pub "$EXT" "$TOKEN" state '{"state":{"t":1e999}}'
  pub "$EXT" "$TOKEN" heartbeat '{"status":"HOSTILE-MARKER"}'
  pub "$EXT" "$TOKEN" heartbeat 'null'
  pub "$EXT" "$TOKEN" event '{"event":"user_event","data":{"action":42}}'
  pub "$EXT" "$TOKEN" event '{"event":"HOSTILE-MARKER","data":{"action":"x"}}'
  pub "$EXT" "$TOKEN" handshake '{"type":1,"firmwareVersion":"HOSTILE-MARKER"}'
  pub "$EXT" "$TOKEN" handshake ''
  # Topics outside the protocol (a broker with an ACL drops these itself).
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$EXT" -P "$TOKEN" -i "$EXT" -q 1 \
    -t "station/$STATION_ID/device/$EXT/bogus" -m '{}' || true
  # Unknown devices (a broker that checks credentials refuses them before mqttd).
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$RUN-ghost" -P nope -i "$RUN-ghost" -q 1 \
    -t "$(topic "$RUN-ghost" state)" -m '{"state":{"t":1}}' || true
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$RUN-ghost" -P nope -i "$RUN-ghost" -q 1 \
    -t "$(topic "$RUN-ghost" event)" -m '{"event":"user_event","data":{"action":"x"}}' || true

  # The next valid message is processed by the same process.
  pub "$EXT" "$TOKEN" state '{"state":{"temperature":21.5}}'
  poll 3 device_is "$DEVICE_ID" '.state | tojson' '{"temperature":21.5}'
  [ "$(mqttd_pid)" = "$pid" ]
  mqttd_running
  # Dropped messages are logged with the device id, never with their payload.
  tail -c +"$((size + 1))" "$(mqttd_log)" | grep -q "\"msg\":\"message dropped\".*\"deviceId\":\"$EXT\""
  tail -c +"$((size + 1))" "$(mqttd_log)" | grep -q "exceeds"
  refute grep -q HOSTILE-MARKER < <(tail -c +"$((size + 1))" "$(mqttd_log)")
  [ "$(count_events "$DEVICE_ID" event_received)" -eq 0 ]
}

# ---- start-up -------------------------------------------------------------------------

@test "start-up is honest: a missing password file or a bad setting is said on stderr with a non-zero exit" {
  run env STATION_MQTT_DAEMON_PASSWORD_FILE="$BATS_TEST_TMPDIR/missing" timeout 10 "$STATION_BUILD_DIR/station-mqttd"
  [ "$status" -ne 0 ]
  [ "$status" -ne 124 ]
  [[ "$output" == *"missing"* ]]
  [[ "$output" == *"password"* ]]

  run env STATION_MQTT_BATCH_MAX=lots timeout 10 "$STATION_BUILD_DIR/station-mqttd"
  [ "$status" -eq 2 ]
  [[ "$output" == *"mqtt.batch_max"* ]]

  run env STATION_CONFIG="$BATS_TEST_TMPDIR/nonexistent.conf" timeout 10 "$STATION_BUILD_DIR/station-mqttd"
  [ "$status" -eq 2 ]
  [[ "$output" == *"nonexistent.conf"* ]]
}
