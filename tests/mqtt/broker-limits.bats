#!/usr/bin/env bats
# broker-limits.bats — what the station's Mosquitto (mosquitto/plugin/, mosquitto/*.conf.in,
# docs/mqtt.md "Client ids" and "Limits") allows a client that logged in correctly: a
# client id belongs to one identity (no device can take over mqttd's or another device's
# session), a packet larger than the largest legitimate message is refused, each device
# has a rate budget whose excess is dropped and counted, and the queue the broker keeps
# for mqttd while it is away holds far more than Mosquitto's default 1000 messages, is
# bounded, and says what it dropped. Against the running dev stack; the last test runs a
# private broker from the production template with a small queue bound.
#
# Nothing here waits by sleeping: a message that must not arrive is checked after a later
# message of the same publisher or subscriber arrived, and counts are polled for.

load ../helpers/common
load ../helpers/mqtt

MQTT_HOST=127.0.0.1

setup_file() {
  token_for admin >/dev/null
  mqtt_suite_ids bl
  mqttd_running || mqttd_start
}

teardown() {
  bg_reap
  mqttd_running || mqttd_start
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}

# pub_as USER PASSWORD CLIENT_ID TOPIC PAYLOAD: one QoS 1 publish.
pub_as() {
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$1" -P "$2" -i "$3" -q 1 -t "$4" -m "$5"
}

device_state() { psql_exec "SELECT state::text FROM devices WHERE id = '$1'"; }
state_has() { [[ $(device_state "$1") == *"$2"* ]]; }

# ---- client ids -----------------------------------------------------------------------

@test "a device logging in with client id station-mqttd is refused; mqttd keeps its session" {
  new_device takeover light
  local ext=$EXT token=$TOKEN id=$DEVICE_ID mqttd_size broker_size
  mqttd_size=$(stat -c %s "$(mqttd_log)")
  broker_size=$(stat -c %s "$(broker_log)")

  run pub_as "$ext" "$token" station-mqttd "$(topic "$ext" state)" '{"state":{"forged":true}}'
  [ "$status" -ne 0 ]
  [[ $output == *"not authorised"* ]]
  run mosquitto_sub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$ext" -P "$token" -i station-mqttd -c -q 1 \
    -t "$(topic "$ext" command)" -E
  [ "$status" -ne 0 ]
  broker_log_since "$broker_size" "refused $ext as client id station-mqttd: the daemons' client id"

  # mqttd still has its session: the device's next state reaches the database, and mqttd
  # never lost the broker meanwhile.
  pub_as "$ext" "$token" "$ext" "$(topic "$ext" state)" '{"state":{"marker":"after"}}'
  poll 10 state_has "$id" '"marker": "after"'
  refute log_since_has "$mqttd_size" "broker connection lost"
  refute broker_log_since "$broker_size" "Client station-mqttd already connected"
  [[ $(device_state "$id") != *forged* ]]
}

@test "a device logging in with another device's client id is refused; that device keeps its session" {
  new_device victim light
  local victim=$EXT victim_token=$TOKEN
  new_device intruder light
  local intruder=$EXT intruder_token=$TOKEN size out=$BATS_TEST_TMPDIR/victim
  # The victim holds two sessions: its external id, and a firmware-style id.
  sub_start "$out" "$victim" "$victim_token" "$victim" "$(topic "$victim" command)"
  local own=$SUB_PID
  sub_start "$out.fw" "$victim" "$victim_token" "esp32-$RUN" "$(topic "$victim" command)"
  local firmware=$SUB_PID
  size=$(stat -c %s "$(broker_log)")

  run pub_as "$intruder" "$intruder_token" "$victim" "$(topic "$intruder" state)" '{"state":{"on":true}}'
  [ "$status" -ne 0 ]
  run pub_as "$intruder" "$intruder_token" "esp32-$RUN" "$(topic "$intruder" state)" '{"state":{"on":true}}'
  [ "$status" -ne 0 ]
  broker_log_since "$size" "refused $intruder as client id $victim: held by another identity $victim"
  broker_log_since "$size" "refused $intruder as client id esp32-$RUN: held by another identity $victim"

  # Both sessions still receive.
  pub_as "$DAEMON_USER" "$DAEMON_PASSWORD" "$RUN-cmd" "$(topic "$victim" command)" '{"action":"toggle"}'
  poll 5 got "$out" "$(topic "$victim" command)" '{"action":"toggle"}'
  poll 5 got "$out.fw" "$(topic "$victim" command)" '{"action":"toggle"}'
  kill -0 "$own"
  kill -0 "$firmware"
  refute broker_log_since "$size" "already connected, closing old connection"

  # The intruder's own id still works for it.
  pub_as "$intruder" "$intruder_token" "$intruder" "$(topic "$intruder" state)" '{"state":{"on":true}}'
}

# ---- packet size ----------------------------------------------------------------------

@test "a packet over max_packet_size never reaches mqttd; a payload of mqtt.max_payload does" {
  new_device big climate
  local out=$BATS_TEST_TMPDIR/daemon big=$BATS_TEST_TMPDIR/big largest=$BATS_TEST_TMPDIR/largest
  sub_start "$out" "$DAEMON_USER" "$DAEMON_PASSWORD" "$RUN-daemon" "$(topic "$EXT" '#')"

  { printf '{"state":{"blob":"OVERSIZE-MARKER'; head -c 1048576 /dev/zero | tr '\0' x; printf '"}}'; } >"$big"
  run mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$EXT" -P "$TOKEN" -i "$EXT" -q 1 \
    -t "$(topic "$EXT" state)" -f "$big"
  [ "$status" -ne 0 ] # the broker closed the connection

  # The largest legitimate message: a payload of exactly mqtt.max_payload bytes.
  { printf '{"state":{"blob":"LARGEST-MARKER'; head -c $((65536 - 35)) /dev/zero | tr '\0' y; printf '"}}'; } >"$largest"
  [ "$(stat -c %s "$largest")" -eq 65536 ]
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$EXT" -P "$TOKEN" -i "$EXT" -q 1 \
    -t "$(topic "$EXT" state)" -f "$largest"
  pub_as "$EXT" "$TOKEN" "$EXT" "$(topic "$EXT" state)" '{"state":{"marker":"last"}}'
  poll 5 got "$out" "$(topic "$EXT" state)" '{"state":{"marker":"last"}}'
  grep -q LARGEST-MARKER "$out"
  refute grep -q OVERSIZE-MARKER "$out"
  refute grep -q OVERSIZE-MARKER "$(mqttd_log)"
}

# ---- rate budget ----------------------------------------------------------------------

# dropped_over_budget EXT OFFSET: the sum of the counts the broker reported for EXT.
dropped_over_budget() {
  tail -c +"$(($2 + 1))" "$(broker_log)" |
    sed -n "s/.*smart-station auth: device $1: \([0-9]*\) messages over its rate budget.*/\1/p" |
    awk '{ n += $1 } END { print n + 0 }'
}

# received_count OUT TOPIC: messages the subscriber printed on TOPIC.
received_count() { grep -c -F -- "$2 " "$1" || true; }

# accounted OUT EXT OFFSET TOTAL: every one of TOTAL messages either arrived or was reported dropped.
accounted() {
  [ $(($(received_count "$1" "$(topic "$2" event)") + $(dropped_over_budget "$2" "$3"))) -eq "$4" ]
}

@test "a flooding device's excess is dropped and counted; another device's messages all arrive" {
  new_device flood switch-pir
  local flood=$EXT flood_token=$TOKEN
  new_device calm switch-pir
  local calm=$EXT calm_token=$TOKEN out=$BATS_TEST_TMPDIR/daemon size total=3000
  sub_start "$out" "$DAEMON_USER" "$DAEMON_PASSWORD" "$RUN-daemon" "$(topic "$flood" event)" "$(topic "$calm" event)"
  size=$(stat -c %s "$(broker_log)")

  seq 1 200 | sed 's/.*/{"event":"user_event","data":{"action":"button_press"},"seq":&}/' |
    mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$calm" -P "$calm_token" -i "$calm" -q 1 \
      -t "$(topic "$calm" event)" -l &
  local calm_pub=$!
  seq 1 "$total" | sed 's/.*/{"event":"user_event","data":{"action":"button_press"},"seq":&}/' |
    mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$flood" -P "$flood_token" -i "$flood" -q 1 \
      -t "$(topic "$flood" event)" -l
  wait "$calm_pub"

  # Every message of the flood is accounted for: delivered, or dropped and reported.
  poll 15 accounted "$out" "$flood" "$size" "$total" || {
    echo "received $(received_count "$out" "$(topic "$flood" event)"), reported dropped $(dropped_over_budget "$flood" "$size")" >&2
    false
  }
  local dropped
  dropped=$(dropped_over_budget "$flood" "$size")
  echo "# $dropped of $total messages over the budget dropped" >&3
  [ "$dropped" -gt 0 ]
  # The other device lost nothing.
  poll 5 eval '[ "$(received_count "$out" "$(topic "$calm" event)")" -eq 200 ]'
  [ "$(dropped_over_budget "$calm" "$size")" -eq 0 ]
}

# ---- mqttd's queue while it is away ---------------------------------------------------

events_received() {
  psql_exec "SELECT count(*) FROM device_events e JOIN devices d ON d.id = e.device_id
             WHERE d.external_id LIKE '$RUN-away-%' AND e.kind = 'event_received'"
}

@test "while mqttd is away the broker keeps more than 1000 messages for it; all are written after its return" {
  local i exts=() tokens=() size
  for i in 1 2 3 4; do
    new_device "away-$i" switch-pir
    exts+=("$EXT") tokens+=("$TOKEN")
  done
  mqttd_stop
  for i in 0 1 2 3; do
    seq 1 400 | sed 's/.*/{"event":"device_event","data":{"action":"motion_detected"},"seq":&}/' |
      mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "${exts[$i]}" -P "${tokens[$i]}" -i "${exts[$i]}" \
        -q 1 -t "$(topic "${exts[$i]}" event)" -l
  done
  size=$(stat -c %s "$(broker_log)")
  mqttd_start
  poll 60 eval '[ "$(events_received)" -ge 1600 ]' || {
    echo "only $(events_received) of 1600 events written" >&2
    false
  }
  [ "$(events_received)" -eq 1600 ]
  # No event twice: each (device, seq) once.
  [ "$(psql_exec "SELECT count(DISTINCT (e.device_id, e.data->>'seq')) FROM device_events e JOIN devices d ON d.id = e.device_id
      WHERE d.external_id LIKE '$RUN-away-%' AND e.kind = 'event_received'")" -eq 1600 ]
  broker_log_since "$size" "station-mqttd is back after [0-9.]* s: [0-9]* device messages were kept for it, none dropped"
}

@test "over the bound, an absent daemon session's messages are dropped, counted and logged" {
  local dir=$BATS_TEST_TMPDIR/broker port log
  private_broker_start "$dir" false -e "s|^plugin_opt_daemon_queue_messages .*|plugin_opt_daemon_queue_messages 50|"
  port=$BROKER_PORT
  grep -qx 'plugin_opt_daemon_queue_messages 50' "$dir/mosquitto.conf"
  log=$dir/log
  poll 10 grep -q "connected to the station database" "$log"

  new_device bound climate
  local id="$RUN-q" filter="station/$STATION_ID/device/#"
  # A daemon's persistent session (clean session off), then away.
  mosquitto_sub -h "$MQTT_HOST" -p "$port" -u "$DAEMON_USER" -P "$DAEMON_PASSWORD" -i "$id" -c -q 1 -t "$filter" -E
  seq 1 80 | sed 's/.*/{"state":{"n":&}}/' |
    mosquitto_pub -h "$MQTT_HOST" -p "$port" -u "$EXT" -P "$TOKEN" -i "$EXT" -q 1 -t "$(topic "$EXT" state)" -l
  poll 5 grep -q "$id is away and its session's queue is full (50 messages, 33554432 bytes): 30 device messages dropped so far" "$log"

  run mosquitto_sub -h "$MQTT_HOST" -p "$port" -u "$DAEMON_USER" -P "$DAEMON_PASSWORD" -i "$id" -c -q 1 -t "$filter" -C 50 -W 10
  [ "$status" -eq 0 ]
  [ "$(grep -c '"n"' <<<"$output")" -eq 50 ]
  [ "$(head -n 1 <<<"$output")" = '{"state":{"n":1}}' ] # the oldest are kept, the newest dropped
  grep -q "$id is back after [0-9.]* s: 50 device messages were kept for it, 30 dropped over its queue bound (50 messages, 33554432 bytes)" "$log"
}
