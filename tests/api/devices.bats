#!/usr/bin/env bats
# devices.bats — /api/devices: create/read/update/delete, the list filters and its
# conditional GET (ETag / If-None-Match → 304), the device token (shown once, stored as
# SHA-256, rotated), and commands checked against the device's type (SPEC §4 devices,
# docs/devices.md).
#
# Everything made here carries this run's prefix ($RUN) and is removed at the end, so the
# suite can run again and again against the same stack. The NOTIFYs that accompany each
# change are not observed here (they are hard to see from bats).

load ../helpers/common
load ../helpers/api

setup_file() {
  ensure_owner >/dev/null
  export RUN="r$(date +%s)$RANDOM"
  export ZONE_A ZONE_B
  ZONE_A=$(psql_exec "INSERT INTO zones (name) VALUES ('$RUN kitchen') RETURNING id")
  ZONE_B=$(psql_exec "INSERT INTO zones (name) VALUES ('$RUN hall') RETURNING id")
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
  psql_exec "DELETE FROM zones WHERE name LIKE '$RUN %'" >/dev/null || true
  psql_exec "DELETE FROM device_types WHERE id LIKE 'bats-%-$RUN'" >/dev/null || true
}

# send WHO METHOD PATH JSON [curl args]: a call with a JSON body.
send() {
  call_as "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary "$4" "${@:5}"
}

# new_device SUFFIX NAME TYPE [ZONE]: creates "$RUN-SUFFIX" as admin; sets DEVICE_ID, DEVICE_TOKEN.
new_device() {
  local zone=""
  [ -n "${4:-}" ] && zone=",\"zoneId\":\"$4\""
  send admin POST /api/devices "{\"externalId\":\"$RUN-$1\",\"name\":\"$2\",\"type\":\"$3\"$zone}"
  assert_status 201
  DEVICE_ID=$(json_field .device.id)
  DEVICE_TOKEN=$(json_field .deviceToken)
}

# lists_give [PATH JQ EXPECTED]…: GET PATH as a member; jq -c JQ of the list is EXPECTED.
lists_give() {
  while [ $# -ge 3 ]; do
    call_as member GET "$1" || return 1
    [ "$(jqc "$2")" = "$3" ] || { echo "$1: $2 is $(jqc "$2"), not $3" >&2; return 1; }
    shift 3
  done
  [ $# -eq 0 ] || { echo "lists_give: $# arguments left over" >&2; return 1; }
}

set_status() {
  psql_exec "UPDATE devices SET status = '$2' WHERE id = '$1'" >/dev/null
}

@test "create returns the device, its token once, and the bootstrap block" {
  new_device lamp "$RUN Lamp" light "$ZONE_A"
  [ "$(jqc '.device | keys')" = '["chip","createdAt","externalId","firmwareVersion","id","kitTag","lastHeartbeatAt","lastSeenAt","name","state","status","type","updatedAt","zoneId"]' ]
  assert_json '.device.externalId' "$RUN-lamp"
  assert_json '.device.name' "$RUN Lamp"
  assert_json '.device.type' 'light'
  assert_json '.device.zoneId' "$ZONE_A"
  assert_json '.device.status' 'unknown'
  [ "$(jqc '.device.state')" = '{}' ]
  [ "$(jqc '[.device.firmwareVersion, .device.chip, .device.kitTag, .device.lastHeartbeatAt, .device.lastSeenAt]')" = '[null,null,null,null,null]' ]
  [[ "$DEVICE_TOKEN" =~ ^[A-Za-z0-9_-]{43}$ ]]
  # bootstrap: what the device is told at provisioning
  assert_json '.bootstrap.stationId' "$(psql_exec 'SELECT id FROM station')"
  assert_json '.bootstrap.deviceId' "$RUN-lamp"
  [ "$(jqc '.bootstrap.mqttPort | type')" = '"number"' ]
  [ -n "$(json_field .bootstrap.mqttHost)" ]
  [[ "$(json_field .bootstrap.mqttHost)" != *:* ]]
  # only the hash is stored
  [ "$(psql_exec "SELECT token_hash FROM devices WHERE id = '$DEVICE_ID'")" = "$(sha256 "$DEVICE_TOKEN")" ]
}

@test "the token is never shown again" {
  new_device secret "$RUN Secret" climate
  call_as member GET "/api/devices/$DEVICE_ID"
  assert_status 200
  [[ "$body" != *"$DEVICE_TOKEN"* ]]
  [[ "$body" != *"$(sha256 "$DEVICE_TOKEN")"* ]]
  [ "$(jqc 'has("deviceToken") or has("tokenHash")')" = false ]
  call_as member GET "/api/devices?q=$RUN-secret"
  [[ "$body" != *"$DEVICE_TOKEN"* ]]
  [[ "$body" != *"$(sha256 "$DEVICE_TOKEN")"* ]]
}

# config_value KEY: the stack's setting (STATION_<KEY> first, then $STATION_CONFIG), or "".
config_value() {
  local env_name
  env_name=STATION_$(tr '.a-z-' '_A-Z_' <<<"$1")
  if [ -n "${!env_name+set}" ]; then
    echo "${!env_name}"
  elif [ -f "${STATION_CONFIG:-}" ]; then
    sed -n "s/^[[:space:]]*${1//./\\.}[[:space:]]*=[[:space:]]*//p" "$STATION_CONFIG" | tail -n 1
  fi
}

@test "mqttHost is mqtt.public_host, or else the request's host without its port" {
  local configured port
  configured=$(config_value mqtt.public_host)
  port=$(config_value mqtt.public_port)
  send admin POST /api/devices "{\"externalId\":\"$RUN-host\",\"name\":\"$RUN Host\",\"type\":\"pir\"}" -H 'Host: 192.0.2.10:8443'
  assert_status 201
  assert_json '.bootstrap.mqttPort' "${port:-1883}"
  if [ -n "$configured" ]; then
    assert_json '.bootstrap.mqttHost' "$configured"
  else
    assert_json '.bootstrap.mqttHost' '192.0.2.10'
  fi
}

@test "externalId must be usable as an MQTT topic level and username" {
  local ext
  for ext in "$RUN/a" "$RUN+a" "$RUN#a" "$RUN a" "$RUN-é"; do
    send admin POST /api/devices "$(jq -cn --arg e "$ext" '{externalId:$e,name:"x",type:"light"}')"
    assert_status 400
    assert_json '.message' 'externalId: must contain only letters, digits, _ . : and -'
  done
  refusals admin POST /api/devices \
    400 'externalId: must be at most 64 characters' "{\"externalId\":\"$(printf 'a%.0s' {1..65})\",\"name\":\"x\",\"type\":\"light\"}" \
    400 'externalId: must not be empty' '{"externalId":"","name":"x","type":"light"}'
  # every allowed character at once
  send admin POST /api/devices "{\"externalId\":\"$RUN-Az09_.:-\",\"name\":\"$RUN chars\",\"type\":\"light\"}"
  assert_status 201
}

@test "create refuses duplicates, unknown types and zones, bad names" {
  new_device dup "$RUN Dup" pir
  refusals admin POST /api/devices \
    409 'externalId: already registered' "{\"externalId\":\"$RUN-dup\",\"name\":\"again\",\"type\":\"pir\"}" \
    400 'type: unknown device type' "{\"externalId\":\"$RUN-t\",\"name\":\"x\",\"type\":\"toaster\"}" \
    400 'zoneId: zone not found' "{\"externalId\":\"$RUN-z\",\"name\":\"x\",\"type\":\"pir\",\"zoneId\":\"$(uuid_new)\"}" \
    400 'zoneId: must be a UUID' "{\"externalId\":\"$RUN-z\",\"name\":\"x\",\"type\":\"pir\",\"zoneId\":\"kitchen\"}" \
    400 'name: must not be empty' "{\"externalId\":\"$RUN-n\",\"name\":\"\",\"type\":\"pir\"}" \
    400 'name: must be at most 100 characters' "{\"externalId\":\"$RUN-n\",\"name\":\"$(printf 'n%.0s' {1..101})\",\"type\":\"pir\"}" \
    400 'name: is required' "{\"externalId\":\"$RUN-n\",\"type\":\"pir\"}"
  [ "$(psql_exec "SELECT count(*) FROM devices WHERE external_id IN ('$RUN-t', '$RUN-z', '$RUN-n')")" = 0 ]
}

@test "only owners and admins create, patch, delete and rotate" {
  send member POST /api/devices "{\"externalId\":\"$RUN-m\",\"name\":\"x\",\"type\":\"pir\"}"
  assert_status 403
  new_device guarded "$RUN Guarded" pir
  send member PATCH "/api/devices/$DEVICE_ID" '{"name":"mine"}'
  assert_status 403
  call_as member DELETE "/api/devices/$DEVICE_ID"
  assert_status 403
  call_as member POST "/api/devices/$DEVICE_ID/token"
  assert_status 403
  call_as anonymous GET /api/devices
  assert_status 401
  send owner PATCH "/api/devices/$DEVICE_ID" '{"name":"owned"}'
  assert_status 200
}

@test "get by id; unknown and malformed ids are 404" {
  new_device one "$RUN One" climate
  call_as member GET "/api/devices/$DEVICE_ID"
  assert_status 200
  assert_json '.id' "$DEVICE_ID"
  assert_json '.externalId' "$RUN-one"
  call_as member GET "/api/devices/$(uuid_new)"
  assert_status 404
  assert_json '.message' 'device not found'
  call_as member GET /api/devices/not-a-uuid
  assert_status 404
}

@test "the list filters by zone, no zone, type, status and text, ordered by name" {
  new_device f-b "$RUN Filter B" light "$ZONE_A"
  local b=$DEVICE_ID
  new_device f-a "$RUN filter A" climate "$ZONE_B"
  local a=$DEVICE_ID
  new_device f-c "$RUN Filter C" pir
  local c=$DEVICE_ID
  set_status "$a" online
  set_status "$c" offline

  call_as member GET "/api/devices?q=$RUN%20filter"
  assert_status 200
  [ "$(jqc '[.[].externalId]')" = "[\"$RUN-f-a\",\"$RUN-f-b\",\"$RUN-f-c\"]" ]

  lists_give \
    "/api/devices?zoneId=$ZONE_A&q=$RUN-f-" '[.[].id]' "[\"$b\"]" \
    "/api/devices?zoneId=$ZONE_B" '[.[].id]' "[\"$a\"]" \
    "/api/devices?zoneId=null&q=$RUN-f-" '[.[].id]' "[\"$c\"]" \
    "/api/devices?zoneId=null" '[.[] | select(.zoneId != null)] | length' 0 \
    "/api/devices?zoneId=$(uuid_new)" 'length' 0 \
    "/api/devices?type=climate&q=$RUN-f-" '[.[].id]' "[\"$a\"]" \
    "/api/devices?type=nothing-like-it" 'length' 0 \
    "/api/devices?status=online&q=$RUN-f-" '[.[].id]' "[\"$a\"]" \
    "/api/devices?status=offline&q=$RUN-f-" '[.[].id]' "[\"$c\"]" \
    "/api/devices?status=unknown&q=$RUN-f-" '[.[].id]' "[\"$b\"]" \
    "/api/devices?status=online&type=light&q=$RUN-f-" 'length' 0
}

# list_tag [QUERY]: the ETag of the device list (as a member) into $TAG.
list_tag() {
  call_as member GET "/api/devices${1:-}"
  assert_status 200
  TAG=$(header ETag)
  [ -n "$TAG" ]
}

# list_state_is ID JSON: the device's state in the list is JSON (compact).
list_state_is() {
  call_as member GET /api/devices
  [ "$(jq -c --arg id "$1" '.[] | select(.id == $id) | .state' <<<"$body")" = "$2" ]
}

@test "the list carries a weak ETag, and If-None-Match with it answers 304 without a body" {
  new_device etag1 "$RUN Etag one" light
  list_tag
  [[ $TAG =~ ^W/\"[0-9]+-[0-9a-f]{16}\"$ ]]
  [ "$(header Cache-Control)" = "private, no-cache" ]
  call_as member GET /api/devices -H "If-None-Match: $TAG"
  assert_status 304
  [ -z "$body" ]
  [ "$(header ETag)" = "$TAG" ]
  [ "$(header Cache-Control)" = "private, no-cache" ]
  [ -z "$(header Content-Type)" ]
  # the forms clients send: the strong form, a list, with or without blanks, and *
  local form
  for form in "${TAG#W/}" "\"other\", $TAG" "W/\"1-0000000000000000\",$TAG" "*"; do
    call_as member GET /api/devices -H "If-None-Match: $form"
    assert_status 304
  done
  call_as member HEAD /api/devices -H "If-None-Match: $TAG"
  assert_status 304
  # another tag is a full answer, with the current tag
  call_as member GET /api/devices -H 'If-None-Match: W/"1-0000000000000000"'
  assert_status 200
  [ "$(header ETag)" = "$TAG" ]
  [ "$(jq 'length' <<<"$body")" -ge 1 ]
  # other routes carry no tag and keep no-store
  call_as member GET "/api/devices/$DEVICE_ID"
  [ -z "$(header ETag)" ]
  [ "$(header Cache-Control)" = "no-store" ]
}

@test "a change to the devices makes the list a 200 with a new tag: PATCH, SQL, and state through mqttd" {
  new_device etag2 "$RUN Etag two" light
  list_tag
  local first=$TAG
  # a statement that changes no row keeps the tag
  psql_exec "UPDATE devices SET name = name WHERE false" >/dev/null
  call_as member GET /api/devices -H "If-None-Match: $first"
  assert_status 304

  send admin PATCH "/api/devices/$DEVICE_ID" "{\"name\":\"$RUN Etag renamed\"}"
  assert_status 200
  call_as member GET /api/devices -H "If-None-Match: $first"
  assert_status 200
  local second
  second=$(header ETag)
  [ "$second" != "$first" ]
  [ "$(jq -r --arg id "$DEVICE_ID" '.[] | select(.id == $id) | .name' <<<"$body")" = "$RUN Etag renamed" ]

  psql_exec "UPDATE devices SET kit_tag = 'k-$RUN' WHERE id = '$DEVICE_ID'" >/dev/null
  call_as member GET /api/devices -H "If-None-Match: $second"
  assert_status 200
  local third
  third=$(header ETag)
  [ "$third" != "$second" ]

  # telemetry: mqttd writes the reported state into the same table
  local station
  station=$(psql_exec "SELECT id FROM station")
  mosquitto_pub -h 127.0.0.1 -p "$STATION_MQTT_PORT" -u "$RUN-etag2" -P "$DEVICE_TOKEN" -i "$RUN-etag2" -q 1 \
    -t "station/$station/device/$RUN-etag2/state" -m '{"state":{"on":true}}'
  poll 10 list_state_is "$DEVICE_ID" '{"on":true}'
  call_as member GET /api/devices -H "If-None-Match: $third"
  assert_status 200
  [ "$(header ETag)" != "$third" ]
}

@test "the tag depends on the query: another filter is another tag of the same version" {
  new_device etag3 "$RUN Etag three" light
  list_tag
  local all=$TAG
  list_tag "?type=light"
  local online=$TAG
  list_tag "?q=$RUN"
  local search=$TAG
  list_tag "?q="
  [ "$TAG" = "$all" ] # an empty search is no search
  [ "$all" != "$online" ] && [ "$all" != "$search" ] && [ "$online" != "$search" ]
  [ "${all%%-*}" = "${online%%-*}" ]
  call_as member GET "/api/devices?type=light" -H "If-None-Match: $all"
  assert_status 200
  call_as member GET "/api/devices?type=light" -H "If-None-Match: $online"
  assert_status 304
  # an empty list has no row to carry its version: it goes out untagged
  call_as member GET "/api/devices?q=none-$RUN"
  assert_status 200
  [ "$body" = "[]" ]
  [ -z "$(header ETag)" ]
  [ "$(header Cache-Control)" = "no-store" ]
}

@test "q is a case-insensitive substring of the name or the external id, not a pattern" {
  new_device Q-Ext "$RUN Plain Name" pir
  local id=$DEVICE_ID
  lists_give \
    "/api/devices?q=$RUN-q-ext" '[.[].id]' "[\"$id\"]" \
    "/api/devices?q=$RUN%20PLAIN%20name" '[.[].id]' "[\"$id\"]"
  # LIKE metacharacters are plain characters
  call_as member GET "/api/devices?q=$RUN%25"
  assert_status 200
  [ "$(jqc 'length')" = 0 ]
  call_as member GET "/api/devices?q=${RUN}_Q"
  [ "$(jqc 'length')" = 0 ]
  new_device pct "$RUN 100% on" light
  call_as member GET "/api/devices?q=100%25"
  [ "$(jqc "[.[] | select(.externalId == \"$RUN-pct\")] | length")" = 1 ]
  [ "$(jqc '[.[] | select(.name | contains("100%") | not)] | length')" = 0 ]
}

@test "list query values are validated" {
  call_as member GET "/api/devices?zoneId=kitchen"
  assert_status 400
  assert_json '.message' 'zoneId: must be a UUID'
  call_as member GET "/api/devices?status=sleeping"
  assert_status 400
  assert_json '.message' 'status: must be one of online, offline, unknown'
}

@test "query values must be strict UTF-8: overlongs and surrogates are named, not passed on" {
  for bad in '%E0%80%80' '%C0%AF' '%ED%A0%80' '%F4%90%80%80' '%C3'; do
    call_as member GET "/api/devices?q=$bad"
    assert_status 400
    assert_json '.message' 'q: must be valid UTF-8'
  done
  call_as member GET "/api/devices?q=caf%C3%A9"
  assert_status 200
  call_as member GET "/api/device-events?kind=%ED%A0%80"
  assert_status 400
  assert_json '.message' 'kind: must be valid UTF-8'
}

@test "patch renames, moves between zones, and zoneId null clears" {
  new_device p "$RUN Patch" light "$ZONE_A"
  local created
  created=$(json_field .device.createdAt)
  send admin PATCH "/api/devices/$DEVICE_ID" '{"name":"Renamed"}'
  assert_status 200
  assert_json '.name' 'Renamed'
  assert_json '.zoneId' "$ZONE_A"
  assert_json '.createdAt' "$created"
  send admin PATCH "/api/devices/$DEVICE_ID" "{\"zoneId\":\"$ZONE_B\"}"
  assert_status 200
  assert_json '.zoneId' "$ZONE_B"
  assert_json '.name' 'Renamed'
  send admin PATCH "/api/devices/$DEVICE_ID" '{"zoneId":null}'
  assert_status 200
  assert_json '.zoneId' 'null'
  [ "$(psql_exec "SELECT zone_id IS NULL FROM devices WHERE id = '$DEVICE_ID'")" = t ]
  call_as member GET "/api/devices/$DEVICE_ID"
  assert_json '.name' 'Renamed'
  assert_json '.zoneId' 'null'
}

@test "patch errors: nothing to update, unknown zone, unknown device, bad values" {
  new_device pe "$RUN Patch errors" light "$ZONE_A"
  refusals admin PATCH "/api/devices/$DEVICE_ID" \
    400 'body: nothing to update' '{}' \
    400 'body: nothing to update' '{"type":"pir"}' \
    400 'zoneId: zone not found' "{\"zoneId\":\"$(uuid_new)\"}" \
    400 'name: must not be empty' '{"name":""}' \
    400 'name: must not be null' '{"name":null}'
  send admin PATCH "/api/devices/$(uuid_new)" '{"name":"ghost"}'
  assert_status 404
  assert_json '.message' 'device not found'
  call_as member GET "/api/devices/$DEVICE_ID"
  assert_json '.zoneId' "$ZONE_A"
  assert_json '.name' "$RUN Patch errors"
}

@test "delete answers 204 and takes the device's commands along" {
  new_device del "$RUN Delete" light
  set_status "$DEVICE_ID" online
  send member POST "/api/devices/$DEVICE_ID/command" '{"action":"toggle"}'
  assert_status 202
  call_as admin DELETE "/api/devices/$DEVICE_ID"
  assert_status 204
  [ -z "$body" ]
  call_as member GET "/api/devices/$DEVICE_ID"
  assert_status 404
  [ "$(psql_exec "SELECT count(*) FROM device_commands WHERE device_id = '$DEVICE_ID'")" = 0 ]
  call_as admin DELETE "/api/devices/$DEVICE_ID"
  assert_status 404
  assert_json '.message' 'device not found'
}

@test "token rotation returns a new token, stores its hash, and kills the old one" {
  new_device rot "$RUN Rotate" climate
  local old=$DEVICE_TOKEN
  # A device token authenticates (a member route then answers 403, not 401).
  api GET /api/devices -H "X-Device-Token: $old"
  assert_status 403

  call_as admin POST "/api/devices/$DEVICE_ID/token"
  assert_status 200
  [ "$(jqc 'keys')" = '["deviceToken"]' ]
  local new
  new=$(json_field .deviceToken)
  [[ "$new" =~ ^[A-Za-z0-9_-]{43}$ ]]
  [ "$new" != "$old" ]
  [ "$(psql_exec "SELECT token_hash FROM devices WHERE id = '$DEVICE_ID'")" = "$(sha256 "$new")" ]

  api GET /api/devices -H "X-Device-Token: $old"
  assert_status 401
  api GET /api/devices -H "X-Device-Token: $new"
  assert_status 403

  call_as admin POST "/api/devices/$(uuid_new)/token"
  assert_status 404
  assert_json '.message' 'device not found'
}

@test "a command to a device that is not online is 409" {
  new_device off "$RUN Offline" light
  send member POST "/api/devices/$DEVICE_ID/command" '{"action":"toggle"}'
  assert_status 409
  assert_json '.message' 'device is offline'
  set_status "$DEVICE_ID" offline
  send member POST "/api/devices/$DEVICE_ID/command" '{"action":"set_brightness","brightness":10}'
  assert_status 409
  assert_json '.message' 'device is offline'
  [ "$(psql_exec "SELECT count(*) FROM device_commands WHERE device_id = '$DEVICE_ID'")" = 0 ]
  send member POST "/api/devices/$(uuid_new)/command" '{"action":"toggle"}'
  assert_status 404
  assert_json '.message' 'device not found'
}

@test "commands are checked against the device's type" {
  new_device chk "$RUN Check" light
  set_status "$DEVICE_ID" online
  local url="/api/devices/$DEVICE_ID/command"
  refusals member POST "$url" \
    400 'action: is required' '{}' \
    400 'action: not supported by light' '{"action":"fly"}' \
    400 'action: not supported by light' '{"action":"ota_update","url":"http://example.invalid/x.bin"}' \
    400 'brightness: is required' '{"action":"set_brightness"}'
  local bad
  for bad in 101 -1 '"50"' true null 100.5; do
    send member POST "$url" "{\"action\":\"set_brightness\",\"brightness\":$bad}"
    assert_status 400
    assert_json '.message' 'brightness: must be a number between 0 and 100'
  done
  send member POST "$url" '{"action":"factory_reset"}'
  assert_status 403
  assert_json '.message' 'factory_reset: requires admin'
  [ "$(psql_exec "SELECT count(*) FROM device_commands WHERE device_id = '$DEVICE_ID'")" = 0 ]

  new_device chk2 "$RUN Check climate" climate
  set_status "$DEVICE_ID" online
  send member POST "/api/devices/$DEVICE_ID/command" '{"action":"toggle"}'
  assert_status 400
  assert_json '.message' 'action: not supported by climate'
}

@test "an online device gets a queued command, expiring after devices.command_ttl" {
  new_device on "$RUN Online" light
  set_status "$DEVICE_ID" online
  send member POST "/api/devices/$DEVICE_ID/command" '{"action":"set_brightness","brightness":75}'
  assert_status 202
  [ "$(jqc 'keys')" = '["commandId","expiresAt","status"]' ]
  assert_json '.status' 'queued'
  local cmd
  cmd=$(json_field .commandId)
  [[ "$(json_field .expiresAt)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]]
  run psql_exec "SELECT c.device_id, c.action, c.params::text, c.status, c.sent_at IS NULL,
                        extract(epoch FROM c.expires_at - c.created_at)::int, u.role
                 FROM device_commands c JOIN users u ON u.id = c.requested_by WHERE c.id = '$cmd'"
  [ "$output" = "$DEVICE_ID|set_brightness|{\"brightness\": 75}|queued|t|30|member" ]

  # built-ins: reboot for anyone, factory_reset for admins; they declare no params, so
  # nothing else of the body reaches the device
  send member POST "/api/devices/$DEVICE_ID/command" '{"action":"reboot","delay":5}'
  assert_status 202
  [ "$(psql_exec "SELECT params::text FROM device_commands WHERE id = '$(json_field .commandId)'")" = '{}' ]
  # a declared command forwards its declared params, and only those
  send member POST "/api/devices/$DEVICE_ID/command" '{"action":"set_brightness","brightness":40,"url":"http://evil.invalid/x.bin","nested":{"a":1}}'
  assert_status 202
  [ "$(psql_exec "SELECT params::text FROM device_commands WHERE id = '$(json_field .commandId)'")" = '{"brightness": 40}' ]
  send admin POST "/api/devices/$DEVICE_ID/command" '{"action":"factory_reset"}'
  assert_status 202
  send member POST "/api/devices/$DEVICE_ID/command" '{"action":"set_brightness","brightness":0}'
  assert_status 202
  send member POST "/api/devices/$DEVICE_ID/command" '{"action":"set_brightness","brightness":100}'
  assert_status 202
  [ "$(psql_exec "SELECT count(*) FROM device_commands WHERE device_id = '$DEVICE_ID' AND status = 'queued'")" = 6 ]
}

@test "the command list shows the newest first, with a limit" {
  new_device hist "$RUN History" light
  set_status "$DEVICE_ID" online
  local a
  for a in turn_on toggle turn_off; do
    send member POST "/api/devices/$DEVICE_ID/command" "{\"action\":\"$a\"}"
    assert_status 202
  done
  call_as member GET "/api/devices/$DEVICE_ID/commands"
  assert_status 200
  [ "$(jqc '[.[].action]')" = '["turn_off","toggle","turn_on"]' ]
  [ "$(jqc '.[0] | keys')" = '["action","createdAt","deviceId","error","expiresAt","id","params","sentAt","status"]' ]
  [ "$(jqc '[.[] | .deviceId == "'"$DEVICE_ID"'" and .status == "queued" and .params == {} and .sentAt == null] | all')" = true ]
  call_as member GET "/api/devices/$DEVICE_ID/commands?limit=2"
  [ "$(jqc '[.[].action]')" = '["turn_off","toggle"]' ]

  # a queued command past its expiry reads as expired
  psql_exec "UPDATE device_commands SET created_at = created_at - interval '1 hour', expires_at = expires_at - interval '1 hour' WHERE device_id = '$DEVICE_ID' AND action = 'turn_on'" >/dev/null
  call_as member GET "/api/devices/$DEVICE_ID/commands"
  [ "$(jqc '[.[] | [.action, .status]]')" = '[["turn_off","queued"],["toggle","queued"],["turn_on","expired"]]' ]

  call_as member GET "/api/devices/$DEVICE_ID/commands?limit=0"
  assert_status 400
  assert_json '.message' 'limit: must be an integer between 1 and 200'
  call_as member GET "/api/devices/$DEVICE_ID/commands?limit=201"
  assert_status 400
  call_as member GET "/api/devices/$(uuid_new)/commands"
  assert_status 404
  assert_json '.message' 'device not found'
  new_device quiet "$RUN Quiet" light
  call_as member GET "/api/devices/$DEVICE_ID/commands"
  assert_status 200
  [ "$body" = '[]' ]
}

@test "a custom type's commands and params are honoured" {
  local type="bats-fan-$RUN"
  send agent PUT "/api/device-types/$type" '{"name":"Fan","category":"actuator",
    "capabilities":[{"key":"speed","type":"number","min":1},{"key":"oscillate","type":"boolean"}],
    "commands":[{"action":"set","params":["speed","oscillate","mode"]}]}'
  assert_status 201
  new_device fan "$RUN Fan" "$type"
  set_status "$DEVICE_ID" online
  local url="/api/devices/$DEVICE_ID/command"
  refusals member POST "$url" \
    400 'speed: must be a number of at least 1' '{"action":"set","speed":0,"oscillate":true,"mode":"eco"}' \
    400 'oscillate: must be a boolean' '{"action":"set","speed":3,"oscillate":"yes","mode":"eco"}' \
    400 'mode: is required' '{"action":"set","speed":3,"oscillate":false}' \
    400 'mode: must not be null' '{"action":"set","speed":3,"oscillate":false,"mode":null}'
  send member POST "$url" '{"action":"set","speed":3,"oscillate":false,"mode":{"any":"value"}}'
  assert_status 202
  send member POST "$url" '{"action":"toggle"}'
  assert_json '.message' "action: not supported by $type"
}
