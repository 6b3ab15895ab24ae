#!/usr/bin/env bats
# broker-auth.bats — the station's Mosquitto plugin (mosquitto/plugin/, docs/mqtt.md)
# against the running dev stack: device logins (username = external id, password = device
# token), the daemons' login, the topic rules of SPEC §5, and sessions dropped at once when
# a device is deleted or its token rotated — also when the notice was missed because the
# plugin's database connection was down. A last test starts a private broker from the
# production template (mosquitto/station.conf.in) with anonymous legacy devices allowed.
#
# Devices are created through the API with this run's prefix ($RUN) and removed at the end.
# Nothing here waits by sleeping: a message that must not arrive is checked after a later
# message of the same subscriber has arrived (the broker delivers them in order), and a
# dropped session is polled for with a deadline.

load ../helpers/common
load ../helpers/mqtt

MQTT_HOST=127.0.0.1

setup_file() {
  token_for admin >/dev/null
  mqtt_suite_ids ba
}

teardown() {
  bg_reap
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}

# ---- helpers ------------------------------------------------------------------------

# pub USER PASSWORD TOPIC PAYLOAD: one QoS 1 publish (returns when the broker acknowledged it).
pub() {
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$1" -P "$2" -i "$1-pub-$RANDOM" -q 1 \
    -t "$3" -m "$4"
}

# pub_anonymous TOPIC PAYLOAD: the same without credentials.
pub_anonymous() {
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -i "$RUN-anon-$RANDOM" -q 1 -t "$1" -m "$2"
}

# daemon_sub OUT: the daemons' view of every device topic of this station.
daemon_sub() { sub_start "$1" "$DAEMON_USER" "$DAEMON_PASSWORD" "$RUN-daemon-$RANDOM" "station/$STATION_ID/device/#"; }

exited() { ! kill -0 "$1" 2>/dev/null; }


# ---- logins -------------------------------------------------------------------------

@test "a device logs in with its token; a wrong token, another device's token, an unknown device and no credentials are refused" {
  new_device login-a
  local ext_a=$EXT token_a=$TOKEN
  new_device login-b

  run pub "$ext_a" "$token_a" "$(topic "$ext_a" heartbeat)" '{"status":"online"}'
  [ "$status" -eq 0 ]

  run pub "$ext_a" "${token_a}x" "$(topic "$ext_a" heartbeat)" '{"status":"online"}'
  [ "$status" -ne 0 ]
  [[ $output == *"not authorised"* ]]

  run pub "$ext_a" "$TOKEN" "$(topic "$ext_a" heartbeat)" '{"status":"online"}'
  [ "$status" -ne 0 ]
  [[ $output == *"not authorised"* ]]

  run pub "$RUN-nobody" "$token_a" "$(topic "$RUN-nobody" heartbeat)" '{"status":"online"}'
  [ "$status" -ne 0 ]
  [[ $output == *"not authorised"* ]]

  run pub_anonymous "$(topic "$ext_a" heartbeat)" '{"status":"online"}'
  [ "$status" -ne 0 ]
  [[ $output == *"not authorised"* ]]

  # Neither the token nor its hash ever reaches the broker's log.
  local hash
  hash=$(printf %s "$token_a" | sha256sum | cut -d' ' -f1)
  ! grep -qF -e "$token_a" -e "$hash" "$(broker_log)"
}

@test "the daemons log in with the password of their secret file, not with another" {
  run pub "$DAEMON_USER" "$DAEMON_PASSWORD" "station/$STATION_ID/device/$RUN-x/command" '{"action":"noop"}'
  [ "$status" -eq 0 ]
  run pub "$DAEMON_USER" "${DAEMON_PASSWORD}x" "station/$STATION_ID/device/$RUN-x/command" '{"action":"noop"}'
  [ "$status" -ne 0 ]
  [[ $output == *"not authorised"* ]]
  run pub "$DAEMON_USER" "" "station/$STATION_ID/device/$RUN-x/command" '{"action":"noop"}'
  [ "$status" -ne 0 ]
}

# ---- topic rules --------------------------------------------------------------------

@test "a device publishes its own handshake, state, event and heartbeat; nothing it publishes elsewhere reaches the station" {
  new_device pub-a
  local ext_a=$EXT token_a=$TOKEN
  new_device pub-b
  local ext_b=$EXT out=$BATS_TEST_TMPDIR/daemon
  daemon_sub "$out"

  local suffix
  for suffix in handshake state event heartbeat; do
    pub "$ext_a" "$token_a" "$(topic "$ext_a" "$suffix")" "{\"own\":\"$suffix\"}"
  done
  # Refused publishes are acknowledged and dropped by the broker (MQTT 3.1.1 has no
  # negative PUBACK): the publisher sees success, the station sees nothing.
  pub "$ext_a" "$token_a" "$(topic "$ext_b" state)" '{"forged":"state of another device"}'
  pub "$ext_a" "$token_a" "$(topic "$ext_b" handshake)" '{"forged":"handshake of another device"}'
  pub "$ext_a" "$token_a" "$(topic "$ext_b" heartbeat)" '{"forged":"heartbeat of another device"}'
  pub "$ext_a" "$token_a" "$(topic "$ext_a" command)" '{"forged":"own command"}'
  pub "$ext_a" "$token_a" "$(topic "$ext_a" handshake/ack)" '{"forged":"own ack"}'
  pub "$ext_a" "$token_a" "$(topic "$ext_a" bogus)" '{"forged":"unknown suffix"}'
  pub "$ext_a" "$token_a" "station/00000000-0000-0000-0000-000000000000/device/$ext_a/state" '{"forged":"other station"}'
  pub "$ext_a" "$token_a" "$(topic "$ext_a" state)" '{"marker":"last"}'

  poll 5 got "$out" "$(topic "$ext_a" state)" '{"marker":"last"}'
  for suffix in handshake state event heartbeat; do
    got "$out" "$(topic "$ext_a" "$suffix")" "{\"own\":\"$suffix\"}"
  done
  ! grep -q forged "$out"
}

@test "a device subscribes only its own command and handshake/ack, with no wildcard; another device's command never reaches it" {
  new_device sub-a
  local ext_a=$EXT token_a=$TOKEN
  new_device sub-b
  local ext_b=$EXT out=$BATS_TEST_TMPDIR/device

  sub_start "$out" "$ext_a" "$token_a" "$ext_a" \
    "$(topic "$ext_a" command)" "$(topic "$ext_a" handshake/ack)" \
    "$(topic "$ext_b" command)" "station/$STATION_ID/device/+/command" "$(topic "$ext_a" '#')" "$(topic "$ext_a" state)"
  # Granted QoS 1 for its own two topics, 128 (refused) for the other four.
  grep -qx 'Subscribed (mid: 1): 1, 1, 128, 128, 128, 128' "$out"

  pub "$DAEMON_USER" "$DAEMON_PASSWORD" "$(topic "$ext_b" command)" '{"action":"for-b"}'
  pub "$DAEMON_USER" "$DAEMON_PASSWORD" "$(topic "$ext_a" state)" '{"state":{"on":true}}'
  pub "$DAEMON_USER" "$DAEMON_PASSWORD" "$(topic "$ext_a" handshake/ack)" '{"status":"ok"}'
  pub "$DAEMON_USER" "$DAEMON_PASSWORD" "$(topic "$ext_a" command)" '{"action":"toggle"}'

  poll 5 got "$out" "$(topic "$ext_a" command)" '{"action":"toggle"}'
  got "$out" "$(topic "$ext_a" handshake/ack)" '{"status":"ok"}'
  refute grep -q 'for-b' "$out"
  ! grep -q '"on":true' "$out"
}

@test "a device that only asks for another device's command topic is refused and gets nothing" {
  new_device lone-a
  local ext_a=$EXT token_a=$TOKEN
  new_device lone-b
  local out=$BATS_TEST_TMPDIR/device

  run mosquitto_sub -d -v -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$ext_a" -P "$token_a" -i "$ext_a" -q 1 \
    -t "$(topic "$EXT" command)" -W 5
  [[ $output == *"Subscribed (mid: 1): 128"* ]]
  [[ $output == *"All subscription requests were denied."* ]]
}

# ---- revocation ---------------------------------------------------------------------

# A live session of the device: a subscriber on its command topic with its own client id.
device_session() {
  sub_start "$1" "$EXT" "$TOKEN" "$EXT" "$(topic "$EXT" command)"
  grep -qx 'Subscribed (mid: 1): 1' "$1"
}

# session_dropped OUT PID LOG_OFFSET: the broker disconnected the device's session (its
# client id is the external id) at once — within 2 s of the request, where the keepalive
# would take a minute — and the subscriber, whose next CONNECT (it reconnects after 1 s)
# was refused, exited.
session_dropped() {
  local out=$1 pid=$2 offset=$3 start
  start=$(now_ms)
  poll 2 broker_log_since "$offset" "Client $EXT been disconnected by administrative action" || {
    echo "the broker did not drop the session of $EXT within 2 s" >&2
    return 1
  }
  echo "# session of $EXT dropped by the broker within $(($(now_ms) - start)) ms" >&3
  poll 5 exited "$pid" || {
    echo "the subscriber of $EXT still runs" >&2
    cat "$out" >&2
    return 1
  }
  wait "$pid" || true
  grep -q 'not authorised' "$out"
}

@test "rotating a token drops the device's live session at once; the old token is refused, the new one accepted" {
  new_device rotate
  local out=$BATS_TEST_TMPDIR/session old=$TOKEN
  device_session "$out"

  local size
  size=$(stat -c %s "$(broker_log)")
  api POST "/api/devices/$DEVICE_ID/token" -H "Authorization: Bearer $(token_for admin)"
  assert_status 200
  local new
  new=$(json_field .deviceToken)
  [ -n "$new" ]
  [ "$new" != "$old" ]

  session_dropped "$out" "$SUB_PID" "$size"
  broker_log_since "$size" "device $EXT: token rotated; dropping its MQTT sessions"

  run pub "$EXT" "$old" "$(topic "$EXT" heartbeat)" '{"status":"online"}'
  [ "$status" -ne 0 ]
  [[ $output == *"not authorised"* ]]
  run pub "$EXT" "$new" "$(topic "$EXT" heartbeat)" '{"status":"online"}'
  [ "$status" -eq 0 ]
}

@test "deleting a device drops its live session; its token is refused afterwards" {
  new_device delete
  local out=$BATS_TEST_TMPDIR/session
  device_session "$out"

  local size
  size=$(stat -c %s "$(broker_log)")
  api DELETE "/api/devices/$DEVICE_ID" -H "Authorization: Bearer $(token_for admin)"
  assert_status 204

  session_dropped "$out" "$SUB_PID" "$size"
  broker_log_since "$size" "device $EXT: device deleted; dropping its MQTT sessions"
  run pub "$EXT" "$TOKEN" "$(topic "$EXT" heartbeat)" '{"status":"online"}'
  [ "$status" -ne 0 ]
  [[ $output == *"not authorised"* ]]
}

@test "a token changed while the plugin's database connection was down still drops the session once it reconnects" {
  new_device missed
  local out=$BATS_TEST_TMPDIR/session size
  device_session "$out"
  size=$(stat -c %s "$(broker_log)")

  # Under a lock on devices: cut the plugin's connection, then change the token without a
  # notice. The plugin reconnects (its statements wait for the lock), re-checks the
  # sessions it let in, and finds this one's token changed.
  psql_exec "BEGIN;
    LOCK TABLE devices IN ACCESS EXCLUSIVE MODE;
    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'smart-station-mosquitto';
    UPDATE devices SET token_hash = encode(sha256('replaced-$RUN'::bytea), 'hex') WHERE id = '$DEVICE_ID';
    COMMIT;" >/dev/null

  session_dropped "$out" "$SUB_PID" "$size"
  broker_log_since "$size" "station database connection restored"
  broker_log_since "$size" "device $EXT: token rotated; dropping its MQTT sessions"
  run pub "$EXT" "$TOKEN" "$(topic "$EXT" heartbeat)" '{"status":"online"}'
  [ "$status" -ne 0 ]
  run pub "$EXT" "replaced-$RUN" "$(topic "$EXT" heartbeat)" '{"status":"online"}'
  [ "$status" -eq 0 ]
}

# ---- the production template, anonymous legacy devices allowed ----------------------

@test "production template with allow_anonymous_devices = true: a warning at start; anonymous devices keep to device topics" {
  local dir=$BATS_TEST_TMPDIR/broker port
  private_broker_start "$dir" true
  port=$BROKER_PORT
  poll 10 grep -q "running" "$dir/log"
  grep -q "smart-station auth: allow_anonymous_devices is true" "$dir/log"

  local legacy=$RUN-legacy base out=$dir/daemon
  base="station/$STATION_ID/device/$legacy"
  STATION_MQTT_PORT=$port sub_start "$out" "$DAEMON_USER" "$DAEMON_PASSWORD" "$RUN-daemon" "station/$STATION_ID/device/#"
  STATION_MQTT_PORT=$port pub_anonymous "$base/state" '{"state":{"on":true}}'
  STATION_MQTT_PORT=$port pub_anonymous "$base/command" '{"forged":"command"}'
  STATION_MQTT_PORT=$port pub_anonymous "station/00000000-0000-0000-0000-000000000000/device/$legacy/state" '{"forged":"other station"}'
  STATION_MQTT_PORT=$port pub_anonymous "$base/heartbeat" '{"marker":"last"}'
  poll 5 got "$out" "$base/heartbeat" '{"marker":"last"}'
  got "$out" "$base/state" '{"state":{"on":true}}'
  refute grep -q forged "$out"

  run mosquitto_sub -d -h "$MQTT_HOST" -p "$port" -i "$RUN-anon-sub" -q 1 \
    -t "$base/command" -t "station/$STATION_ID/device/+/command" -t "$base/state" -W 1
  [[ $output == *"Subscribed (mid: 1): 1, 128, 128"* ]]

  # Devices with credentials are still checked: a wrong token is not let in as anonymous.
  run mosquitto_pub -h "$MQTT_HOST" -p "$port" -u "$legacy" -P wrong -q 1 -t "$base/state" -m '{}'
  [ "$status" -ne 0 ]
  [[ $output == *"not authorised"* ]]
}
