#!/usr/bin/env bats
# chaos.bats — the device plane under load while its parts fail (docs/security.md, "Device
# plane"): 300 devices of devsim publish state and events, each numbered (--sequence),
# while mqttd is killed with -9, PostgreSQL is stopped, and Mosquitto is killed with -9.
# Each time the devices stop publishing while the fault still holds (devsim paused), the
# part comes back as systemd would restart it, and then every device's last state and
# every event is in the database, none twice.
#
# What the documented losses are, and so what this suite stages: a kill -9 of mqttd or of
# Mosquitto loses what was in flight at that instant (mqttd acknowledges a message before
# it is written; the broker's persistence is a periodic snapshot). So those two kills
# happen with the fleet quiet and everything written — for Mosquitto, after a snapshot
# taken since — and the devices publish again while the part is down or right after it
# returned: what is checked is that the broker's queue for mqttd and its restored session
# lose nothing. PostgreSQL is stopped under load: mqttd keeps the telemetry in memory.
#
# The load runs for a few seconds between steps (`load_for`): that is load, not a wait for
# an outcome; outcomes are polled for with bounded waits.

load ../helpers/common
load ../helpers/mqtt

MQTT_HOST=127.0.0.1
DEVICES=300

setup_file() {
  mqtt_suite_ids ch
  mqttd_running || mqttd_start
}

teardown() {
  bg_reap
  db_restart_if_stopped
  broker_running || broker_start
  mqttd_running || mqttd_start
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN-%'" >/dev/null || true
}

# ---- helpers ------------------------------------------------------------------------

# Registers $DEVICES devices (half climate, half switch-pir) straight in the database, with
# tokens whose SHA-256 is stored as the API stores it, and writes devsim's credentials file.
create_fleet() {
  psql_exec "INSERT INTO devices (external_id, name, type, token_hash)
    SELECT '$RUN-' || n, 'Chaos ' || n, CASE WHEN n % 2 = 0 THEN 'climate' ELSE 'switch-pir' END,
           encode(sha256(('token-$RUN-' || n)::bytea), 'hex')
    FROM generate_series(1, $DEVICES) AS n" >/dev/null
  local n
  for ((n = 1; n <= DEVICES; n++)); do
    if ((n % 2 == 0)); then echo "$RUN-$n climate token-$RUN-$n"; else echo "$RUN-$n switch-pir token-$RUN-$n"; fi
  done >"$1"
}

online_count() { psql_exec "SELECT count(*) FROM devices WHERE external_id LIKE '$RUN-%' AND status = 'online'"; }

# pause: devsim stops publishing and writes its report ($REPORT).
pause() {
  rm -f "$REPORT"
  kill -USR1 "$DEVSIM"
  poll 10 test -s "$REPORT"
}

resume() { kill -USR2 "$DEVSIM"; }

load_for() {
  resume
  sleep "$1"
}

# The devices whose database rows do not match the report: their last state's seq, their
# event_received rows (one per seq, no seq twice). Prints one line per mismatch.
mismatches() {
  local values
  values=$(jq -r '"(\u0027\(.deviceId)\u0027, \(.stateSeq), \(.eventSeq))"' "$REPORT" | paste -sd, -)
  psql_exec "WITH r (ext, state_seq, event_seq) AS (VALUES $values)
    SELECT r.ext || ' state ' || coalesce(d.state->>'seq', '-') || '/' || r.state_seq
           || ' events ' || ev.total || ' (' || ev.seqs || ' distinct, max ' || coalesce(ev.top::text, '-') || ')/' || r.event_seq
    FROM r JOIN devices d ON d.external_id = r.ext
    CROSS JOIN LATERAL (SELECT count(*) AS total, count(DISTINCT e.data->>'seq') AS seqs, max((e.data->>'seq')::bigint) AS top
                        FROM device_events e WHERE e.device_id = d.id AND e.kind = 'event_received') ev
    WHERE coalesce((d.state->>'seq')::bigint, 0) <> r.state_seq
       OR ev.total <> r.event_seq OR ev.seqs <> r.event_seq OR coalesce(ev.top, 0) <> r.event_seq"
}

all_written() { [ -z "$(mismatches)" ]; }

# assert_all_written: within a bounded wait, the database holds what the report says.
assert_all_written() {
  poll "${1:-60}" all_written || {
    echo "devices short of what they published:" >&2
    mismatches | head -n 20 >&2
    return 1
  }
  [ "$(wc -l <"$REPORT")" -eq "$DEVICES" ]
}

snapshot_mtime() { stat -c %Y "$STATION_RUN_DIR/mosquitto/mosquitto.db" 2>/dev/null || echo 0; }

# ---- the run --------------------------------------------------------------------------

@test "300 devices under load: mqttd killed, PostgreSQL stopped, Mosquitto killed; every last state and every event written once" {
  local creds=$BATS_TEST_TMPDIR/creds events
  REPORT=$BATS_TEST_TMPDIR/report
  create_fleet "$creds"
  "$STATION_BUILD_DIR/devsim" --station-id "$STATION_ID" --port "$STATION_MQTT_PORT" --credentials "$creds" \
    --sequence --report "$REPORT" --rate 300 --heartbeat-interval-s 20 --log-level warn \
    >"$BATS_TEST_TMPDIR/devsim.out" 2>"$BATS_TEST_TMPDIR/devsim.log" 3>&- &
  DEVSIM=$!
  bg_track $DEVSIM
  poll 60 eval '[ "$(online_count)" -eq '"$DEVICES"' ]'
  load_for 3
  pause
  assert_all_written
  events=$(psql_exec "SELECT count(*) FROM device_events e JOIN devices d ON d.id = e.device_id
    WHERE d.external_id LIKE '$RUN-%' AND e.kind = 'event_received'")
  echo "# warm-up: $events events written" >&3
  [ "$events" -gt 0 ]

  # 1. mqttd crashes; the devices go on publishing into its persistent session's queue.
  mqttd_kill9
  load_for 4
  pause
  mqttd_start
  assert_all_written
  echo "# mqttd kill -9: nothing lost" >&3

  # 2. PostgreSQL stops under load; mqttd keeps the telemetry in memory.
  load_for 2
  "$STATION_SRC_DIR/scripts/dev" db stop >/dev/null
  load_for 3
  pause
  "$STATION_SRC_DIR/scripts/dev" db start >/dev/null 3>&-
  assert_all_written
  echo "# PostgreSQL stop/start: nothing lost" >&3

  # 3. Mosquitto crashes after a snapshot of the quiet broker; it is restarted, the devices
  #    and mqttd reconnect, the devices publish again.
  load_for 2
  pause
  assert_all_written
  local quiet
  quiet=$(date +%s)
  poll 20 eval '[ "$(snapshot_mtime)" -gt '"$quiet"' ]'
  broker_kill9
  broker_start
  load_for 4
  pause
  assert_all_written 90
  echo "# Mosquitto kill -9: nothing lost" >&3

  local total
  total=$(jq -s 'map(.stateSeq + .eventSeq) | add' "$REPORT")
  echo "# $total numbered states and events published, all written once" >&3
}
