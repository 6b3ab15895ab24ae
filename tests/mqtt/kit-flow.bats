#!/usr/bin/env bats
# kit-flow.bats — the kit end to end, as a customer meets it (SPEC §4 kits, §5): a
# switch-pir and a light that share a kit tag handshake (tools/devsim in kit mode: the
# switch presses its button on a clock, the light obeys its commands and reports its
# state), auto-apply makes the switch-light kit and its published automation, a button
# press over MQTT becomes a toggle published to the light by station-automationd and
# station-mqttd, and the light reports itself on. The same handshakes again make nothing
# new. Needs the kits module's auto-apply (mqttd's handshake) and station-automationd.

load ../helpers/common
load ../helpers/mqtt

MQTT_HOST=127.0.0.1

setup_file() {
  ensure_owner >/dev/null
  token_for admin >/dev/null
  mqtt_suite_ids kf
}

setup() {
  stack_daemon_running station-automationd || skip "station-automationd is not running"
  stack_daemon_running station-mqttd || skip "station-mqttd is not running"
  [ "$(psql_exec "SELECT to_regproc('kit_auto_apply') IS NOT NULL")" = t ] ||
    skip "the kits module's auto-apply (kit_auto_apply, migration 016) is not in this database"
}

teardown() {
  bg_reap
}

teardown_file() {
  psql_exec "DELETE FROM device_kits WHERE kit_tag = 'k-$RUN'" >/dev/null || true
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}

# devsim_kit OUT [ARG…]: the two devices of the kit in devsim, commands printed into OUT.
devsim_kit() {
  local out=$1
  shift
  "$STATION_BUILD_DIR/devsim" --station-id "$STATION_ID" --port "$STATION_MQTT_PORT" \
    --credentials "$BATS_FILE_TMPDIR/kit.credentials" --telemetry-interval-ms 600000 --print-commands \
    "$@" >"$out" 2>"$out.log" 3>&- &
  bg_track $!
}

kits_of_tag() { psql_exec "SELECT count(*) FROM device_kits WHERE kit_tag = 'k-$RUN'"; }
kit_automations() {
  psql_exec "SELECT count(*) FROM automations a JOIN device_kits k ON k.id = a.kit_id
             WHERE k.kit_tag = 'k-$RUN' AND a.status = 'published'"
}
acks() { grep -c '"topic":"[^"]*/handshake/ack"' "$1"; }

@test "two devices with one kit tag handshake: kit and automation made; a button press toggles the light on; the same handshakes make nothing new" {
  local lamp out=$BATS_TEST_TMPDIR/first
  new_device sw switch-pir
  echo "$EXT switch-pir $TOKEN k-$RUN" >"$BATS_FILE_TMPDIR/kit.credentials"
  new_device lamp light
  lamp=$DEVICE_ID
  echo "$EXT light $TOKEN k-$RUN" >>"$BATS_FILE_TMPDIR/kit.credentials"

  devsim_kit "$out" --press-interval-ms 2000
  poll 15 eval '[ "$(kits_of_tag)" = 1 ] && [ "$(kit_automations)" = 1 ]'
  [ "$(psql_exec "SELECT preset_id FROM device_kits WHERE kit_tag = 'k-$RUN'")" = switch-light ]
  # The light received toggle over MQTT, and reports itself on.
  poll 20 grep -q "\"topic\":\"station/$STATION_ID/device/$RUN-lamp/command\",\"payload\":{\"action\":\"toggle\"}" "$out"
  poll 10 eval "[ \"\$(psql_exec \"SELECT state->>'on' FROM devices WHERE id = '$lamp'\")\" = true ]"
  [ "$(psql_exec "SELECT count(*) FROM automation_runs r JOIN automations a ON a.id = r.automation_id
                  JOIN device_kits k ON k.id = a.kit_id WHERE k.kit_tag = 'k-$RUN' AND r.status = 'success'")" -ge 1 ]
  bg_reap

  # The same two handshakes again: nothing new.
  out=$BATS_TEST_TMPDIR/second
  devsim_kit "$out"
  poll 15 eval '[ "$(acks "$out")" = 2 ]'
  [ "$(kits_of_tag)" = 1 ]
  [ "$(kit_automations)" = 1 ]
  [ "$(psql_exec "SELECT count(*) FROM automations a JOIN device_kits k ON k.id = a.kit_id WHERE k.kit_tag = 'k-$RUN'")" = 1 ]
}
