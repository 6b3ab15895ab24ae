#!/usr/bin/env bats
# ota.bats — /api/ota (SPEC §4 ota, docs/ota.md) and the OTA parts of /api/firmware: jobs
# and their parallel limit, the log, the station-agent's device types and firmware-ready
# (checksum on disk, both spellings of a type, safe names, autoOta), a device's check and
# report (its own id only), the ota-timeout cron job, and an image in use that cannot be
# deleted. The OTA states move in the database (014_ota.sql); this suite drives them
# through the routes and station-cron, and reads ota_logs and device_commands to see them.
#
# Devices are of a type of this run's own ($TYPE), so images and devices of other suites
# never count; "online" is set through SQL (the MQTT side is tests/mqtt/ota.bats).

load ../helpers/common
load ../helpers/ota
load ../helpers/api
load ../helpers/ws

setup_file() {
  export RUN="ota$(date +%s)$RANDOM" TYPE
  TYPE="t$RUN"
  ensure_owner >/dev/null
  psql_exec "INSERT INTO device_types (id, name, category) VALUES ('$TYPE', 'OTA test', 'actuator')" >/dev/null
  ws_setup
  local img=$STATION_SRC_DIR/tests/helpers/esp_image.py
  python3 "$img" "$BATS_FILE_TMPDIR/a.bin" --size 30000 --seed 11
  python3 "$img" "$BATS_FILE_TMPDIR/b.bin" --size 30000 --seed 12
  python3 "$img" "$BATS_FILE_TMPDIR/c.bin" --size 30000 --seed 13
  python3 "$img" "$BATS_FILE_TMPDIR/magic.bin" --break magic
}

teardown_file() {
  psql_exec "DELETE FROM ota_logs o USING devices d WHERE d.id = o.device_id AND d.external_id LIKE '$RUN-%'" \
    >/dev/null || true
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN-%'" >/dev/null || true
  psql_exec "DELETE FROM firmwares WHERE device_type = '$TYPE' RETURNING file_name" |
    while read -r f; do rm -f "$STATION_RUN_DIR/firmware/$f"; done || true
  rm -f "$STATION_RUN_DIR/firmware/$RUN"-*.bin
  psql_exec "DELETE FROM device_types WHERE id = '$TYPE'" >/dev/null || true
}

teardown() {
  bg_reap
  ota_end_active
}

# ota_device SUFFIX VERSION [STATUS]: a device of $TYPE on VERSION (online unless STATUS);
# prints its id, keeps its token in $BATS_TEST_TMPDIR/token-SUFFIX.
ota_device() {
  local id
  api_json POST /api/devices "{\"externalId\":\"$RUN-$1\",\"name\":\"$RUN $1\",\"type\":\"$TYPE\"}" \
    -H "Authorization: Bearer $(token_for admin)" || return 1
  [ "$status_code" = 201 ] || { echo "create device: $status_code $body" >&2; return 1; }
  id=$(json_field .device.id)
  json_field .deviceToken >"$BATS_TEST_TMPDIR/token-$1"
  psql_exec "UPDATE devices SET firmware_version = '$2', status = '${3:-online}', last_heartbeat_at = now(),
             last_seen_at = now() WHERE id = '$id'" >/dev/null
  echo "$id"
}

as_device() { DEVICE_TOKEN=$(cat "$BATS_TEST_TMPDIR/token-$1") call_as device "${@:2}"; }

# ready FILE_NAME SOURCE VERSION [TYPE [CHECKSUM]]: copies SOURCE into the cache as
# FILE_NAME and tells the station as the agent.
ready() {
  cp "$2" "$STATION_RUN_DIR/firmware/$1"
  local sum=${5:-sha256:$(sha256sum <"$2" | cut -d' ' -f1)}
  call_as agent POST /api/ota/firmware-ready -H 'Content-Type: application/json' \
    --data-binary "{\"type\":\"${4:-esp32-$TYPE}\",\"version\":\"$3\",\"file\":\"$1\",\"checksum\":\"$sum\"}"
}

# image VERSION SOURCE: an uploaded image of $TYPE; prints its id.
image() {
  call_as admin POST "/api/firmware?deviceType=$TYPE&version=$1" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$2"
  [ "$status_code" = 201 ] || [ "$status_code" = 200 ] || { echo "upload: $status_code $body" >&2; return 1; }
  json_field .id
}


@test "firmware-ready: a file of the cache with its checksum is registered as the agent's (either spelling)" {
  ready "$RUN-a.bin" "$BATS_FILE_TMPDIR/a.bin" 1.0.0
  assert_status 201
  assert_each .firmware.deviceType "$TYPE" .firmware.version 1.0.0 .firmware.fileName "$RUN-a.bin" \
    .firmware.source agent .firmware.sha256 "$(sha256sum <"$BATS_FILE_TMPDIR/a.bin" | cut -d' ' -f1)" \
    '.queued | length' 0
  ready "$RUN-a.bin" "$BATS_FILE_TMPDIR/a.bin" 1.0.0 "$TYPE"
  assert_status 200
  assert_json .firmware.source agent
}

@test "firmware-ready refuses a wrong checksum, a name outside the cache, a missing file, and what is not an image" {
  local sum
  sum=$(sha256sum <"$BATS_FILE_TMPDIR/b.bin" | cut -d' ' -f1)
  ready "$RUN-b.bin" "$BATS_FILE_TMPDIR/b.bin" 1.0.1 "esp32-$TYPE" "sha256:$(sha256 wrong)"
  assert_error 400 "checksum: does not match the file (sha256:$sum)"
  [ "$(psql_exec "SELECT count(*) FROM firmwares WHERE device_type = '$TYPE' AND version = '1.0.1'")" = 0 ]
  refusals agent POST /api/ota/firmware-ready \
    400 'type: must be a device type like light or esp32-light' \
    "{\"type\":\"esp32--x\",\"version\":\"1.0.1\",\"file\":\"$RUN-b.bin\",\"checksum\":\"sha256:$sum\"}" \
    400 'file: must be a file name of the firmware cache (letters, digits and . + _ @ -, ending in .bin)' \
    "{\"type\":\"$TYPE\",\"version\":\"1.0.1\",\"file\":\"../secrets/agent_token.bin\",\"checksum\":\"sha256:$sum\"}" \
    400 "file: $RUN-none.bin is not in the firmware cache" \
    "{\"type\":\"$TYPE\",\"version\":\"1.0.1\",\"file\":\"$RUN-none.bin\",\"checksum\":\"sha256:$sum\"}" \
    400 'checksum: must be sha256:<64 hex digits>' \
    "{\"type\":\"$TYPE\",\"version\":\"1.0.1\",\"file\":\"$RUN-b.bin\",\"checksum\":\"md5:abc\"}"
  ready "$RUN-magic.bin" "$BATS_FILE_TMPDIR/magic.bin" 1.0.2
  assert_error 400 'image: not an esp32 app image (first byte is not 0xe9)'
  call_as member POST /api/ota/firmware-ready -H 'Content-Type: application/json' --data-binary '{}'
  assert_status 403
}

@test "device-types tells the agent each type in use, its versions and its newest image" {
  ota_device dt1 0.1.0 >/dev/null
  ota_device dt2 0.2.0 >/dev/null
  ota_device dt3 0.2.0 offline >/dev/null
  call_as agent GET /api/ota/device-types
  assert_status 200
  body=$(jq -c --arg t "$TYPE" '.[] | select(.type == $t)' <<<"$body")
  assert_each .deviceCount 3 '.versions | sort | join(",")' 0.1.0,0.2.0 .latestFirmware 1.0.0
  call_as member GET /api/ota/device-types
  assert_status 403
}

@test "a job updates every device of the image's type on another version; never more than ota.max_parallel at once" {
  local fw ids sent d
  fw=$(image 2.0.0 "$BATS_FILE_TMPDIR/b.bin")
  psql_exec "UPDATE devices SET firmware_version = '2.0.0' WHERE external_id LIKE '$RUN-%'" >/dev/null
  for d in j1 j2 j3 j4 j5; do ota_device "$d" 1.9.0 >/dev/null; done
  d=$(ota_device j6 2.0.0)
  call_as admin POST /api/ota/jobs -H 'Content-Type: application/json' --data-binary "{\"firmwareId\":\"$fw\"}"
  assert_status 202
  assert_each '.queued | length' 5 '.skipped | length' 0 '[.queued[].toVersion] | unique | join(",")' 2.0.0 \
    '[.queued[].fromVersion] | unique | join(",")' 1.9.0
  [ "$(jq --arg d "$d" '[.queued[] | select(.deviceId == $d)] | length' <<<"$body")" = 0 ]
  sent=$(psql_exec "SELECT count(*) FROM ota_logs o JOIN devices d ON d.id = o.device_id
                    WHERE d.external_id LIKE '$RUN-%' AND o.status = 'sent'")
  [ "$sent" = 3 ]
  [ "$(psql_exec "SELECT count(*) FROM ota_logs o JOIN devices d ON d.id = o.device_id
                  WHERE d.external_id LIKE '$RUN-%' AND o.status = 'pending'")" = 2 ]
  # Each sent update is an ota_update command in the outbox, with what the device needs.
  body=$(psql_exec "SELECT c.params FROM device_commands c JOIN ota_logs o ON o.command_id = c.id
                    WHERE o.status = 'sent' AND c.action = 'ota_update' AND o.firmware_id = '$fw' LIMIT 1")
  assert_each .version 2.0.0 .firmware_id "$fw" .sha256 "$(sha256sum <"$BATS_FILE_TMPDIR/b.bin" | cut -d' ' -f1)" \
    .url "$STATION_URL/api/firmware/$fw/download"
  # Asked again: every device is updating already.
  call_as admin POST /api/ota/jobs -H 'Content-Type: application/json' --data-binary "{\"firmwareId\":\"$fw\"}"
  assert_status 202
  assert_json '.queued | length' 0
}

@test "a job names its devices: others' types are refused, devices already updating are skipped" {
  local fw a b light
  fw=$(image 2.1.0 "$BATS_FILE_TMPDIR/c.bin")
  a=$(ota_device k1 1.0.0)
  b=$(ota_device k2 1.0.0)
  light=$(device_id_new k3 "$RUN k3" light)
  refusals admin POST /api/ota/jobs \
    400 "deviceIds[1]: not a $TYPE device" "{\"firmwareId\":\"$fw\",\"deviceIds\":[\"$a\",\"$light\"]}" \
    404 'firmware not found' "{\"firmwareId\":\"$(uuid_new)\"}" \
    400 'deviceIds[1]: already declared' "{\"firmwareId\":\"$fw\",\"deviceIds\":[\"$a\",\"$a\"]}"
  call_as admin POST /api/ota/jobs -H 'Content-Type: application/json' \
    --data-binary "{\"firmwareId\":\"$fw\",\"deviceIds\":[\"$a\"]}"
  assert_status 202
  assert_each '.queued[0].deviceId' "$a" '.queued[0].status' sent
  call_as admin POST /api/ota/jobs -H 'Content-Type: application/json' \
    --data-binary "{\"firmwareId\":\"$fw\",\"deviceIds\":[\"$a\",\"$b\"]}"
  assert_status 202
  assert_each '.queued[0].deviceId' "$b" '.queued | length' 1 '.skipped | join(",")' "$a"
  call_as member POST /api/ota/jobs -H 'Content-Type: application/json' --data-binary "{\"firmwareId\":\"$fw\"}"
  assert_status 403
}

@test "POST /api/firmware/update updates one device (202), by version or by image; twice is a conflict" {
  local fw d
  fw=$(image 2.2.0 "$BATS_FILE_TMPDIR/a.bin")
  d=$(ota_device u1 1.0.0)
  call_as admin POST /api/firmware/update -H 'Content-Type: application/json' \
    --data-binary "{\"deviceId\":\"$d\",\"version\":\"2.2.0\"}"
  assert_status 202
  assert_each '.queued | length' 1 '.queued[0].deviceId' "$d" '.queued[0].firmwareId' "$fw" '.queued[0].status' sent
  refusals admin POST /api/firmware/update \
    409 'deviceId: an update of this device is in progress' "{\"deviceId\":\"$d\",\"firmwareId\":\"$fw\"}" \
    400 'version: give either version or firmwareId' "{\"deviceId\":\"$d\"}" \
    404 'firmware not found' "{\"deviceId\":\"$d\",\"version\":\"9.9.9\"}" \
    404 'device not found' "{\"deviceId\":\"$(uuid_new)\",\"version\":\"2.2.0\"}"
}

@test "an image an active update uses cannot be deleted (409); once the update is over, it can" {
  local fw d
  python3 "$STATION_SRC_DIR/tests/helpers/esp_image.py" "$BATS_TEST_TMPDIR/d.bin" --size 20000 --seed 14
  fw=$(image 2.3.0 "$BATS_TEST_TMPDIR/d.bin")
  d=$(ota_device del1 1.0.0)
  call_as admin POST /api/firmware/update -H 'Content-Type: application/json' \
    --data-binary "{\"deviceId\":\"$d\",\"firmwareId\":\"$fw\"}"
  assert_status 202
  call_as admin DELETE "/api/firmware/$fw"
  assert_error 409 'firmware: in use by an ota update'
  [ -e "$STATION_RUN_DIR/firmware/$TYPE@2.3.0.bin" ]
  DEVICE_TOKEN=$(cat "$BATS_TEST_TMPDIR/token-del1") call_as device POST /api/ota/report \
    -H 'Content-Type: application/json' --data-binary "{\"deviceId\":\"$d\",\"firmwareId\":\"$fw\",\"success\":true}"
  assert_status 204
  call_as admin DELETE "/api/firmware/$fw"
  assert_status 204
  [ "$(psql_exec "SELECT status || ' ' || (firmware_id IS NULL) FROM ota_logs WHERE device_id = '$d'")" = "success true" ]
}

@test "check: a device learns of a newer image of its type, for itself only" {
  local fw d other
  fw=$(psql_exec "SELECT id FROM firmwares WHERE device_type = '$TYPE' ORDER BY ota_version_key(version) DESC LIMIT 1")
  local version
  version=$(psql_exec "SELECT version FROM firmwares WHERE id = '$fw'")
  d=$(ota_device c1 1.0.0)
  other=$(ota_device c2 1.0.0)
  as_device c1 GET "/api/ota/check?device_id=$RUN-c1&device_type=esp32-$TYPE&chip=ESP32-D0WD-V3&current_version=1.0.0"
  assert_status 200
  assert_each .updateAvailable true .version "$version" .firmwareId "$fw" \
    .downloadUrl "$STATION_URL/api/firmware/$fw/download" \
    .sha256 "$(psql_exec "SELECT sha256 FROM firmwares WHERE id = '$fw'")"
  as_device c1 GET "/api/ota/check?device_id=$d&device_type=$TYPE&current_version=$version"
  assert_status 200
  [ "$(jq -c . <<<"$body")" = '{"updateAvailable":false}' ]
  as_device c1 GET "/api/ota/check?device_id=$other&current_version=1.0.0"
  assert_error 403 'device_id: not this device'
  DEVICE_TOKEN=not-a-token call_as device GET "/api/ota/check?device_id=$d&current_version=1.0.0"
  assert_status 401
  call_as member GET "/api/ota/check?device_id=$d"
  assert_status 403
}

@test "report: a failure closes the update as failed, frees its slot for a pending one, is in the feed and pushed" {
  local fw d others=() i
  fw=$(image 2.4.0 "$BATS_FILE_TMPDIR/c.bin")
  d=$(ota_device r0 1.0.0)
  call_as admin POST /api/ota/jobs -H 'Content-Type: application/json' --data-binary "{\"firmwareId\":\"$fw\",\"deviceIds\":[\"$d\"]}"
  for i in 1 2 3; do others+=("$(ota_device "r$i" 1.0.0)"); done
  call_as admin POST /api/ota/jobs -H 'Content-Type: application/json' \
    --data-binary "{\"firmwareId\":\"$fw\",\"deviceIds\":[\"${others[0]}\",\"${others[1]}\",\"${others[2]}\"]}"
  assert_status 202
  [ "$(ota_status "${others[2]}")" = pending ]
  ws_bg push --token "$(token_for member)" --timeout 60
  as_device r1 POST /api/ota/report -H 'Content-Type: application/json' \
    --data-binary "{\"deviceId\":\"$d\",\"firmwareId\":\"$fw\",\"success\":false}"
  assert_error 403 'deviceId: not this device'
  as_device r0 POST /api/ota/report -H 'Content-Type: application/json' \
    --data-binary "{\"deviceId\":\"$RUN-r0\",\"firmwareId\":\"$fw\",\"success\":false,\"error\":\"flash write failed\"}"
  assert_status 204
  [ "$(ota_status "$d")" = failed ]
  [ "$(psql_exec "SELECT error_message FROM ota_logs WHERE device_id = '$d'")" = 'flash write failed' ]
  [ "$(ota_status "${others[2]}")" = sent ]
  call_as member GET "/api/device-events?deviceId=$d&kind=ota_progress"
  assert_status 200
  assert_json '[.items[].action] | join(",")' failed,sent,pending
  assert_json '.items[0].data.error' 'flash write failed'
  poll 10 got push ".type == \"ota.progress\" and .data.deviceId == \"$d\" and .data.status == \"failed\"
                   and .data.errorMessage == \"flash write failed\" and .data.firmwareId == \"$fw\"
                   and .data.deviceName == \"$RUN r0\" and .data.toVersion == \"2.4.0\""
  poll 10 got push ".type == \"ota.progress\" and .data.deviceId == \"${others[2]}\" and .data.status == \"sent\""
}

@test "ota-timeout: an update sent 10 minutes ago without an answer times out, and the next pending one goes" {
  local fw ids=() i
  fw=$(image 2.5.0 "$BATS_FILE_TMPDIR/a.bin")
  for i in 1 2 3 4; do ids+=("$(ota_device "to$i" 1.0.0)"); done
  call_as admin POST /api/ota/jobs -H 'Content-Type: application/json' \
    --data-binary "{\"firmwareId\":\"$fw\",\"deviceIds\":[\"${ids[0]}\",\"${ids[1]}\",\"${ids[2]}\",\"${ids[3]}\"]}"
  assert_status 202
  [ "$(ota_status "${ids[3]}")" = pending ]
  psql_exec "UPDATE ota_logs SET sent_at = now() - interval '9 minutes' WHERE device_id = '${ids[1]}'" >/dev/null
  psql_exec "UPDATE ota_logs SET sent_at = now() - interval '11 minutes' WHERE device_id = '${ids[0]}'" >/dev/null
  run_cron ota-timeout
  [ "$(ota_status "${ids[0]}")" = timeout ]
  [ "$(ota_status "${ids[1]}")" = sent ]
  [ "$(ota_status "${ids[3]}")" = sent ]
  [ "$(psql_exec "SELECT error_message FROM ota_logs WHERE device_id = '${ids[0]}'")" = 'no answer within 600 seconds' ]
  run_cron ota-timeout
  [ "$(ota_status "${ids[0]}")" = timeout ]
}

@test "the log is paged newest first like the device-events feed" {
  local next first
  call_as member GET '/api/ota/logs?limit=2'
  assert_status 200
  assert_json '.items | length' 2
  next=$(json_field .nextCursor)
  first=$(json_field '.items[1].id')
  [ "$next" != null ]
  call_as member GET "/api/ota/logs?limit=2&before=$next"
  assert_status 200
  [ "$(json_field '.items[0].id')" != "$first" ]
  call_as member GET '/api/ota/logs?before=nope'
  assert_error 400 'before: invalid cursor'
  call_as member GET '/api/ota/logs?limit=501'
  assert_status 400
  api GET /api/ota/logs
  assert_status 401
}

@test "firmware-ready with autoOta on updates the type's devices on older versions only" {
  local old new
  call_as admin PATCH /api/settings -H 'Content-Type: application/json' --data-binary '{"autoOta":true}'
  assert_status 200
  old=$(ota_device auto1 3.0.0)
  new=$(ota_device auto2 4.0.0)
  ready "$RUN-auto.bin" "$BATS_FILE_TMPDIR/b.bin" 3.5.0
  local st=$status_code out=$body
  ready "$RUN-auto-old.bin" "$BATS_FILE_TMPDIR/c.bin" 0.0.1 # older than every device
  local st_old=$status_code out_old=$body
  call_as admin PATCH /api/settings -H 'Content-Type: application/json' --data-binary '{"autoOta":false}'
  status_code=$st body=$out
  assert_status 201
  [ "$(jq --arg d "$old" '[.queued[] | select(.deviceId == $d)] | length' <<<"$body")" = 1 ]
  [ "$(jq --arg d "$new" '[.queued[] | select(.deviceId == $d)] | length' <<<"$body")" = 0 ]
  status_code=$st_old body=$out_old
  assert_status 201
  [ "$(jq '[.queued[]?] | length' <<<"$body")" = 0 ] # no device is older: nobody is downgraded
}
