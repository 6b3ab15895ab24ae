#!/usr/bin/env bats
# ota.bats — OTA updates end to end (SPEC §4 ota, §5; docs/ota.md): api-ota queues them,
# the state machine sends ota.max_parallel at a time through the command outbox, mqttd
# publishes ota_update, devsim's devices download the image through nginx with their
# token, check its SHA-256, reboot and handshake with the new version — which alone closes
# an update as success — or report a failure; a device that never comes back times out
# through station-cron ota-timeout (its sent_at moved back instead of waiting ten minutes).
#
# The limit is checked by sampling the table while the updates run: never more than
# ota.max_parallel (3, the default) rows in `sent`. No timing is asserted.

load ../helpers/common
load ../helpers/ota
load ../helpers/mqtt

MQTT_HOST=127.0.0.1
FLEET=18 # devsim devices that update; plus one that fails and one that never comes back

setup_file() {
  ensure_owner >/dev/null
  token_for admin >/dev/null
  mqtt_suite_ids ota
  export VERSION="0.3.$RANDOM$RANDOM"
  mqttd_running || mqttd_start
  python3 "$STATION_SRC_DIR/tests/helpers/esp_image.py" "$BATS_FILE_TMPDIR/new.bin" --size 200000 --seed 21
}

teardown() {
  bg_reap
  ota_end_active
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN-%'" >/dev/null || true
  psql_exec "DELETE FROM firmwares WHERE device_type = 'light' AND version LIKE '0.3.%' RETURNING file_name" |
    while read -r f; do rm -f "$STATION_RUN_DIR/firmware/$f"; done || true
}

# devsim_start CREDENTIALS OUT [OPTIONS…]: devsim printing commands and acks into OUT.
devsim_start() {
  local creds=$1 out=$2
  shift 2
  "$STATION_BUILD_DIR/devsim" --station-id "$STATION_ID" --port "$STATION_MQTT_PORT" --credentials "$creds" \
    --print-commands --telemetry-interval-ms 60000 --ota-reboot-ms 200 --log-level info "$@" \
    >"$out" 2>"$out.log" 3>&- &
  bg_track $!
}

# upload: the image as light $VERSION; prints its id.
upload() {
  api POST "/api/firmware?deviceType=light&version=$VERSION" -H "Authorization: Bearer $(token_for admin)" \
    -H 'Content-Type: application/octet-stream' --data-binary @"$BATS_FILE_TMPDIR/new.bin"
  [ "$status_code" = 201 ] || [ "$status_code" = 200 ] || { echo "upload: $status_code $body" >&2; return 1; }
  json_field .id
}

of_run() { psql_exec "SELECT count(*) FROM ota_logs o JOIN devices d ON d.id = o.device_id
                      WHERE d.external_id LIKE '$RUN-%' AND $1"; }
online_count() { psql_exec "SELECT count(*) FROM devices WHERE external_id LIKE '$RUN-%' AND status = 'online'"; }

# until_settled MAX_FILE: samples the count of sent updates (all of the table) into
# MAX_FILE until only the vanished device's update is still active.
until_settled() {
  local sent max
  sent=$(psql_exec "SELECT count(*) FROM ota_logs WHERE status = 'sent'")
  max=$(cat "$1")
  [ "$sent" -le "$max" ] || echo "$sent" >"$1"
  [ "$(of_run "o.status IN ('pending', 'sent')")" = 1 ] && [ "$(of_run "o.status = 'success'")" = "$FLEET" ]
}

@test "20 devices update ota.max_parallel at a time: a handshake with the new version closes each, one fails, one times out" {
  local fw creds="$BATS_TEST_TMPDIR/creds" out="$BATS_TEST_TMPDIR/out" ids=() i gone failing
  fw=$(upload)
  for i in $(seq 1 "$FLEET"); do
    new_device "d$i" light
    echo "$EXT light $TOKEN" >>"$creds"
    ids+=("$DEVICE_ID")
  done
  new_device fails light
  failing=$DEVICE_ID
  echo "$EXT light $TOKEN" >"$BATS_TEST_TMPDIR/creds-fail"
  # A device that took its update and was never heard from again: online, but nobody listens.
  new_device gone light
  gone=$DEVICE_ID
  psql_exec "UPDATE devices SET status = 'online', firmware_version = '0.1.32', last_heartbeat_at = now(),
             last_seen_at = now() WHERE id = '$gone'" >/dev/null
  devsim_start "$creds" "$out"
  devsim_start "$BATS_TEST_TMPDIR/creds-fail" "$BATS_TEST_TMPDIR/out-fail" --ota-fail-rate 1
  poll 30 eval '[ "$(online_count)" = 20 ]'

  call_as admin POST /api/ota/jobs -H 'Content-Type: application/json' \
    --data-binary "{\"firmwareId\":\"$fw\",\"deviceIds\":[\"$gone\",\"$failing\",$(printf '"%s",' "${ids[@]}" | sed 's/,$//')]}"
  assert_status 202
  assert_json '.queued | length' 20

  echo 0 >"$BATS_TEST_TMPDIR/max"
  poll 240 until_settled "$BATS_TEST_TMPDIR/max"
  echo "# at most $(cat "$BATS_TEST_TMPDIR/max") updates were sent at once" >&3
  [ "$(cat "$BATS_TEST_TMPDIR/max")" -le 3 ]
  [ "$(cat "$BATS_TEST_TMPDIR/max")" -ge 1 ]

  # Every devsim device installed the image: its handshake carries the new version.
  [ "$(psql_exec "SELECT count(*) FROM devices WHERE external_id LIKE '$RUN-d%' AND firmware_version = '$VERSION'")" = "$FLEET" ]
  # Closed by the handshake alone: devsim reports failures only.
  [ "$(jq -s --arg d "$RUN-d1" '[.[] | select(.deviceId == $d and (.topic | endswith("/command")) and .payload.action == "ota_update")] | length' "$out")" = 1 ]
  jq -e -s --arg d "$RUN-d1" --arg v "$VERSION" --arg f "$fw" '.[] | select(.deviceId == $d and .payload.action == "ota_update")
      | .payload | select(.version == $v and .firmware_id == $f and (.url | endswith("/api/firmware/" + $f + "/download")))' \
    "$out" >/dev/null
  [ "$(psql_exec "SELECT status || ': ' || error_message FROM ota_logs WHERE device_id = '$failing'")" = \
    'failed: simulated failure (--ota-fail-rate)' ]
  [ "$(psql_exec "SELECT firmware_version FROM devices WHERE id = '$failing'")" = 0.1.32 ]
  [ "$(ota_status "$gone")" = sent ]

  # The one that never came back: ten minutes later, station-cron's ota-timeout.
  psql_exec "UPDATE ota_logs SET sent_at = now() - interval '11 minutes' WHERE device_id = '$gone' AND status = 'sent'" >/dev/null
  run_cron ota-timeout
  [ "$(ota_status "$gone")" = timeout ]
  # Every transition is in the device-events feed.
  [ "$(psql_exec "SELECT string_agg(action, ',' ORDER BY created_at) FROM device_events
                  WHERE device_id = '${ids[0]}' AND kind = 'ota_progress'")" = pending,sent,success ]
  [ "$(psql_exec "SELECT string_agg(action, ',' ORDER BY created_at) FROM device_events
                  WHERE device_id = '$gone' AND kind = 'ota_progress'")" = pending,sent,timeout ]
}

@test "a handshake reporting the target version closes the update as success, without a report" {
  local fw
  fw=$(upload)
  new_device hs light
  psql_exec "UPDATE devices SET status = 'online', firmware_version = '0.1.32', last_heartbeat_at = now(),
             last_seen_at = now() WHERE id = '$DEVICE_ID'" >/dev/null
  call_as admin POST /api/firmware/update -H 'Content-Type: application/json' \
    --data-binary "{\"deviceId\":\"$DEVICE_ID\",\"firmwareId\":\"$fw\"}"
  assert_status 202
  [ "$(ota_status "$DEVICE_ID")" = sent ]
  # Another version first: nothing closes.
  pub "$EXT" "$TOKEN" handshake '{"type":"light","firmwareVersion":"0.1.33","chip":"ESP32-D0WD-V3"}'
  poll 5 eval "[ \"\$(psql_exec \"SELECT firmware_version FROM devices WHERE id = '$DEVICE_ID'\")\" = 0.1.33 ]"
  [ "$(ota_status "$DEVICE_ID")" = sent ]
  pub "$EXT" "$TOKEN" handshake "{\"type\":\"light\",\"firmwareVersion\":\"$VERSION\",\"chip\":\"ESP32-D0WD-V3\"}"
  poll 5 eval "[ \"\$(psql_exec \"SELECT status FROM ota_logs WHERE device_id = '$DEVICE_ID'\")\" = success ]"
  [ "$(psql_exec "SELECT finished_at IS NOT NULL FROM ota_logs WHERE device_id = '$DEVICE_ID'")" = t ]
}
