#!/usr/bin/env bats
# device-events.bats — GET /api/device-events: the item shape (with the device's name and
# type), the filters (deviceId, kind, since/until), the page size bounds, keyset paging that
# gives every event exactly once even when many share a timestamp, and the 400s of bad
# input (SPEC §2 paging, §4 device-events; docs/device-events.md). The event settings and
# presets: defaults from the presets, PUT replacing a device's own settings, its refusals.
# That mqttd honours the settings is tests/mqtt/event-settings.bats.
#
# Devices are made through the API, events by SQL (mqttd writes them in production). Every
# device carries this run's prefix ($RUN); deleting them at the end takes their events
# along. Times are relative to $BASE (an hour ago), well inside events.retention_days,
# so a device-events-cleanup run by the dev stack's cron loop never touches them. Checks
# are scoped to this run's devices: other suites write events into the same feed.

load ../helpers/common
load ../helpers/api

setup_file() {
  ensure_owner >/dev/null
  export RUN="r$(date +%s)$RANDOM"
  export BASE
  BASE=$(psql_exec "SELECT to_char(date_trunc('second', now() AT TIME ZONE 'UTC') - interval '1 hour',
                                    'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
  export DEV_A DEV_B DEV_C
  DEV_A=$(device_id_new a "$RUN Hall climate" climate)
  DEV_B=$(device_id_new b "$RUN Porch light" light)
  DEV_C=$(device_id_new c "$RUN Hall motion" pir)
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN-%'" >/dev/null || true
}

# as_member PATH [curl args]: GET PATH with a member's token.
as_member() {
  api GET "$@" -H "Authorization: Bearer $(token_for member)"
}

# add_event DEVICE KIND ACTION OFFSET [DATA]: an event at $BASE + OFFSET (an SQL interval); prints its id.
add_event() {
  local data=${5:-'{}'}
  psql_exec "INSERT INTO device_events (device_id, kind, action, data, created_at)
             VALUES ('$1', '$2', $(sql_literal "$3"), $(sql_literal "$data"), timestamptz '$BASE' + interval '$4')
             RETURNING id"
}

# at OFFSET: $BASE + OFFSET as RFC 3339 with milliseconds, for since/until.
at() {
  psql_exec "SELECT to_char((timestamptz '$BASE' + interval '$1') AT TIME ZONE 'UTC',
                            'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
}

# Ids of the items on the page, space separated.
item_ids() {
  jq -r '[.items[].id] | join(" ")' <<<"$body"
}

# page_all QUERY LIMIT: walks every page of QUERY; sets ALL_IDS (newline separated) and PAGES (sizes).
page_all() {
  local query=$1 limit=$2 cursor="" n=0
  ALL_IDS="" PAGES=""
  while :; do
    if [ -n "$cursor" ]; then as_member "/api/device-events?$query&limit=$limit&before=$cursor"
    else as_member "/api/device-events?$query&limit=$limit"; fi
    assert_status 200 || return 1
    ALL_IDS+=$(jq -r '.items[].id' <<<"$body")$'\n'
    PAGES+="$(jq '.items | length' <<<"$body") "
    cursor=$(json_field .nextCursor)
    [ "$cursor" != null ] || break
    n=$((n + 1))
    [ "$n" -lt 100 ] || { echo "paging does not end" >&2; return 1; }
  done
  ALL_IDS=$(sed '/^$/d' <<<"$ALL_IDS")
}

@test "items carry the device's name and type, newest first, with the last page's nextCursor null" {
  local first second
  first=$(add_event "$DEV_A" status_changed online '1 second' '{"from":"offline","to":"online"}')
  second=$(add_event "$DEV_A" command_sent toggle '2 seconds' '{"params":{"on":true}}')
  as_member "/api/device-events?deviceId=$DEV_A&until=$(at '3 seconds')"
  assert_status 200
  [ "$(jq -c 'keys' <<<"$body")" = '["items","nextCursor"]' ]
  assert_json '.nextCursor' null
  [ "$(item_ids)" = "$second $first" ]
  [ "$(jq -c '.items[0] | keys_unsorted' <<<"$body")" = \
    '["id","deviceId","deviceName","deviceType","kind","action","data","createdAt"]' ]
  assert_json '.items[0].deviceId' "$DEV_A"
  assert_json '.items[0].deviceName' "$RUN Hall climate"
  assert_json '.items[0].deviceType' climate
  assert_json '.items[0].kind' command_sent
  assert_json '.items[0].action' toggle
  [ "$(jq -c '.items[0].data' <<<"$body")" = '{"params":{"on":true}}' ]
  assert_json '.items[1].createdAt' "$(at '1 second')"
  [[ "$(json_field '.items[0].createdAt')" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]]
}

@test "a null action is null, and an unknown device has an empty feed" {
  local id
  id=$(psql_exec "INSERT INTO device_events (device_id, kind, created_at)
                  VALUES ('$DEV_B', 'event_received', timestamptz '$BASE' + interval '10 minutes') RETURNING id")
  as_member "/api/device-events?deviceId=$DEV_B&since=$(at '10 minutes')&until=$(at '11 minutes')"
  assert_status 200
  [ "$(item_ids)" = "$id" ]
  assert_json '.items[0].action' null
  [ "$(jq -c '.items[0].data' <<<"$body")" = '{}' ]
  as_member "/api/device-events?deviceId=$(uuid_new)"
  assert_status 200
  [ "$(jq -c . <<<"$body")" = '{"items":[],"nextCursor":null}' ]
}

@test "filters: deviceId, kind, since (inclusive) and until (exclusive)" {
  local a1 a2 a3 a4 b1 b2
  a1=$(add_event "$DEV_A" status_changed online '20 minutes')
  b1=$(add_event "$DEV_B" status_changed online '20 minutes 30 seconds')
  a2=$(add_event "$DEV_A" command_sent toggle '21 minutes')
  a3=$(add_event "$DEV_A" event_received motion '22 minutes')
  a4=$(add_event "$DEV_A" state_transition temperature '23 minutes')
  b2=$(add_event "$DEV_B" event_received button '24 minutes')
  local window="since=$(at '20 minutes')&until=$(at '25 minutes')"

  as_member "/api/device-events?deviceId=$DEV_A&$window"
  assert_status 200
  [ "$(item_ids)" = "$a4 $a3 $a2 $a1" ]

  as_member "/api/device-events?deviceId=$DEV_B&$window"
  [ "$(item_ids)" = "$b2 $b1" ]

  as_member "/api/device-events?deviceId=$DEV_A&kind=event_received&$window"
  [ "$(item_ids)" = "$a3" ]
  as_member "/api/device-events?deviceId=$DEV_B&kind=status_changed&$window"
  [ "$(item_ids)" = "$b1" ]
  assert_json '.items[0].deviceName' "$RUN Porch light"

  # since is inclusive, until exclusive: [21 min, 23 min) holds a2 and a3, not a4
  as_member "/api/device-events?deviceId=$DEV_A&since=$(at '21 minutes')&until=$(at '23 minutes')"
  [ "$(item_ids)" = "$a3 $a2" ]
  # a window with an offset means the same instant
  local plus2
  plus2=$(psql_exec "SELECT to_char((timestamptz '$BASE' + interval '22 minutes') AT TIME ZONE 'UTC' + interval '2 hours',
                                    'YYYY-MM-DD\"T\"HH24:MI:SS\"+02:00\"')")
  as_member "/api/device-events?deviceId=$DEV_A&since=${plus2/+/%2B}&until=$(at '25 minutes')"
  [ "$(item_ids)" = "$a4 $a3" ]

  # without deviceId the feed holds both devices (and maybe other suites' events)
  as_member "/api/device-events?$window&limit=500"
  [ "$(jq -r --arg a "$DEV_A" --arg b "$DEV_B" '[.items[] | select(.deviceId == $a or .deviceId == $b) | .id] | join(" ")' <<<"$body")" = \
    "$b2 $a4 $a3 $a2 $b1 $a1" ]
  as_member "/api/device-events?kind=command_sent&$window&limit=500"
  [ "$(jq -r '[.items[].kind] | unique | join(" ")' <<<"$body")" = command_sent ]
}

@test "until earlier than since is a 400" {
  as_member "/api/device-events?since=$(at '2 minutes')&until=$(at '1 minute')"
  assert_error 400 'until: must not be earlier than since'
  as_member "/api/device-events?since=$(at '2 minutes')&until=$(at '2 minutes')"
  assert_status 200
  assert_json '.items | length' 0
}

@test "limit: default 50, bounds 1..500 with exact messages" {
  as_member "/api/device-events?limit=0"
  assert_error 400 'limit: must be an integer between 1 and 500'
  as_member "/api/device-events?limit=501"
  assert_error 400 'limit: must be an integer between 1 and 500'
  as_member "/api/device-events?limit=-1"
  assert_error 400 'limit: must be an integer between 1 and 500'
  as_member "/api/device-events?limit=ten"
  assert_error 400 'limit: must be an integer'
  as_member "/api/device-events?limit=500"
  assert_status 200
  add_event "$DEV_A" event_received motion '50 minutes' >/dev/null
  add_event "$DEV_A" event_received motion '51 minutes' >/dev/null
  as_member "/api/device-events?deviceId=$DEV_A&limit=1"
  assert_status 200
  assert_json '.items | length' 1
  [ "$(json_field .nextCursor)" != null ]
}

@test "paging through 120 events, three per timestamp, with limit 50 gives each exactly once" {
  local dev expected
  dev=$(device_id_new paging "$RUN Paging" climate)
  psql_exec "INSERT INTO device_events (device_id, kind, action, created_at)
             SELECT '$dev', 'event_received', 'tick', timestamptz '$BASE' + interval '30 minutes'
                    + (i / 3) * interval '1 second' + (i / 3 % 4) * interval '1 microsecond'
             FROM generate_series(0, 119) i" >/dev/null
  expected=$(psql_exec "SELECT id FROM device_events WHERE device_id = '$dev' ORDER BY created_at DESC, id DESC")
  page_all "deviceId=$dev" 50
  [ "$PAGES" = "50 50 20 " ]
  [ "$(wc -l <<<"$ALL_IDS")" -eq 120 ]
  [ "$(sort -u <<<"$ALL_IDS" | wc -l)" -eq 120 ]
  [ "$ALL_IDS" = "$expected" ]
  # the default page size is 50
  as_member "/api/device-events?deviceId=$dev"
  assert_json '.items | length' 50
}

@test "paging through 60 events on one single timestamp gives each exactly once" {
  local dev expected
  dev=$(device_id_new ties "$RUN Ties" light)
  psql_exec "INSERT INTO device_events (device_id, kind, action, created_at)
             SELECT '$dev', 'state_transition', 'power', timestamptz '$BASE' + interval '40 minutes 0.123456 seconds'
             FROM generate_series(1, 60)" >/dev/null
  expected=$(psql_exec "SELECT id FROM device_events WHERE device_id = '$dev' ORDER BY id DESC")
  page_all "deviceId=$dev" 25
  [ "$PAGES" = "25 25 10 " ]
  [ "$ALL_IDS" = "$expected" ]
  # filters hold across pages: kind that matches nothing
  page_all "deviceId=$dev&kind=command_sent" 25
  [ "$PAGES" = "0 " ]
}

@test "the cursor is base64url of the last item's microseconds and id" {
  local last cursor decoded us
  add_event "$DEV_A" event_received motion '52 minutes' >/dev/null
  add_event "$DEV_A" event_received motion '53 minutes 0.000123 seconds' >/dev/null
  as_member "/api/device-events?deviceId=$DEV_A&limit=2"
  assert_status 200
  last=$(json_field '.items[1].id')
  cursor=$(json_field .nextCursor)
  [[ "$cursor" =~ ^[A-Za-z0-9_-]+$ ]]
  decoded=$(tr '_-' '/+' <<<"$cursor")
  while [ $(( ${#decoded} % 4 )) -ne 0 ]; do decoded+="="; done
  decoded=$(base64 -d <<<"$decoded")
  [ "${decoded#*:}" = "$last" ]
  us=$(psql_exec "SELECT (extract(epoch FROM created_at) * 1000000)::bigint FROM device_events WHERE id = '$last'")
  [ "${decoded%%:*}" = "$us" ]
}

@test "a cursor at the end of time starts from the newest event" {
  local id
  id=$(add_event "$DEV_B" event_received button '56 minutes')
  as_member "/api/device-events?deviceId=$DEV_B&limit=1&before=$(printf '253402300799999999:00000000-0000-0000-0000-000000000000' |
             base64 -w0 | tr '+/' '-_' | tr -d '=')"
  assert_status 200
  [ "$(item_ids)" = "$id" ]
}

@test "a malformed cursor is 400 before: invalid cursor" {
  local bad
  add_event "$DEV_A" event_received motion '54 minutes' >/dev/null
  add_event "$DEV_A" event_received motion '55 minutes' >/dev/null
  for bad in '!!!' 'abc' "$(printf '123:not-a-uuid' | base64 | tr -d '=')" \
             "$(printf '%s' "0012:$DEV_A" | base64 -w0 | tr '+/' '-_' | tr -d '=')" ''; do
    as_member "/api/device-events?before=$bad"
    assert_error 400 'before: invalid cursor'
  done
  # well-formed but out of range: after the year 9999
  as_member "/api/device-events?before=$(printf '9223372036854775807:%s' "$DEV_A" | base64 -w0 | tr '+/' '-_' | tr -d '=')"
  assert_error 400 'before: invalid cursor'
  # a real cursor with padding added
  as_member "/api/device-events?deviceId=$DEV_A&limit=1"
  as_member "/api/device-events?before=$(json_field .nextCursor)%3D"
  assert_error 400 'before: invalid cursor'
}

@test "bad filters are 400s naming the field" {
  as_member "/api/device-events?deviceId=not-a-uuid"
  assert_error 400 'deviceId: must be a UUID'
  as_member "/api/device-events?kind=exploded"
  assert_error 400 'kind: must be one of status_changed, command_sent, event_received, state_transition'
  as_member "/api/device-events?since=yesterday"
  assert_error 400 'since: must be an RFC 3339 timestamp'
  as_member "/api/device-events?until=2026-13-01T00:00:00Z"
  assert_error 400 'until: must be an RFC 3339 timestamp'
  as_member "/api/device-events?since=0000-12-31T23:59:59Z"
  assert_error 400 'since: must be between 0001-01-01 and 9999-12-31'
}

@test "anonymous callers get 401; every signed-in role may read" {
  api GET /api/device-events
  assert_error 401
  api GET "/api/device-events?deviceId=$DEV_A" -H "Authorization: Bearer $(token_for admin)"
  assert_status 200
  api GET "/api/device-events?deviceId=$DEV_A" -H "Authorization: Bearer $(token_for owner)"
  assert_status 200
}

# ---- settings and presets -------------------------------------------------------------

# settings_lines: the settings in $body as "action:record:notify:custom" lines.
settings_lines() { jq -r '.[] | "\(.action):\(.record):\(.notify):\(.custom)"' <<<"$body"; }
# settings_are LINE…: the settings in $body are those lines, in that order.
settings_are() { [ "$(settings_lines)" = "$(printf '%s\n' "$@")" ]; }

# as_admin_put PATH BODY
as_admin_put() {
  api_json PUT "$1" "$2" -H "Authorization: Bearer $(token_for admin)"
}

@test "presets: each registered type's events, recorded and pushed unless the type's preset says otherwise" {
  as_member /api/device-events/presets
  assert_status 200
  [ "$(jq -c '[.[] | select(.deviceType == "pir")] | map(.action)' <<<"$body")" = '["motion_detected","motion_cleared"]' ]
  [ "$(jq -c '[.[] | select(.deviceType == "pir" and .action == "motion_cleared")][0]' <<<"$body")" = \
    '{"deviceType":"pir","action":"motion_cleared","record":true,"notify":false}' ]
  [ "$(jq -c '[.[] | select(.deviceType == "light") | [.action, .record, .notify]]' <<<"$body")" = \
    '[["turned_on",true,true],["turned_off",true,true]]' ]
  # A type without events has no presets.
  [ "$(jq '[.[] | select(.deviceType == "climate")] | length' <<<"$body")" = 0 ]
}

@test "settings: every event of the device's type, the preset in force until an admin sets one" {
  as_member "/api/device-events/settings?deviceId=$DEV_C"
  assert_status 200
  [ "$(jq -c '.[0]' <<<"$body")" = \
    "{\"deviceId\":\"$DEV_C\",\"deviceName\":\"$RUN Hall motion\",\"deviceType\":\"pir\",\"action\":\"motion_detected\",\"record\":true,\"notify\":true,\"custom\":false}" ]
  settings_are motion_detected:true:true:false motion_cleared:true:false:false
  # A type without events: nothing to set. A UUID that names no device: an empty list.
  as_member "/api/device-events/settings?deviceId=$DEV_A"
  assert_status 200
  [ "$body" = "[]" ]
  as_member "/api/device-events/settings?deviceId=$(uuid_new)"
  assert_status 200
  [ "$body" = "[]" ]
  # Without a filter: every device, this run's among them.
  as_member /api/device-events/settings
  assert_status 200
  [ "$(jq --arg b "$DEV_B" --arg c "$DEV_C" '[.[] | select(.deviceId == $b or .deviceId == $c)] | length' <<<"$body")" = 4 ]
}

@test "PUT settings replaces the device's own settings; what it does not list follows the preset again" {
  as_admin_put "/api/device-events/settings/$DEV_B" '{"events":[{"action":"turned_on","record":false,"notify":true}]}'
  assert_status 200
  settings_are turned_on:false:true:true turned_off:true:true:false
  as_admin_put "/api/device-events/settings/$DEV_B" '{"events":[{"action":"turned_off","record":true,"notify":false}]}'
  assert_status 200
  settings_are turned_on:true:true:false turned_off:true:false:true
  as_member "/api/device-events/settings?deviceId=$DEV_B"
  settings_are turned_on:true:true:false turned_off:true:false:true
  # A setting equal to the preset is still the device's own.
  as_admin_put "/api/device-events/settings/$DEV_C" '{"events":[{"action":"motion_cleared","record":true,"notify":false}]}'
  settings_are motion_detected:true:true:false motion_cleared:true:false:true
  as_admin_put "/api/device-events/settings/$DEV_B" '{"events":[]}'
  assert_status 200
  settings_are turned_on:true:true:false turned_off:true:true:false
}

@test "PUT settings refuses events not of the device's type, duplicates, unknown devices, members" {
  as_admin_put "/api/device-events/settings/$DEV_B" '{"events":[{"action":"turned_on","record":false,"notify":false}]}'
  assert_status 200
  as_admin_put "/api/device-events/settings/$DEV_B" \
    '{"events":[{"action":"turned_off","record":true,"notify":true},{"action":"motion_detected","record":true,"notify":true}]}'
  assert_error 400 'events[1].action: not an event of light'
  as_admin_put "/api/device-events/settings/$DEV_A" '{"events":[{"action":"turned_on","record":true,"notify":true}]}'
  assert_error 400 'events[0].action: not an event of climate'
  as_admin_put "/api/device-events/settings/$DEV_B" \
    '{"events":[{"action":"turned_on","record":true,"notify":true},{"action":"turned_on","record":false,"notify":true}]}'
  assert_error 400 'events[1].action: already declared'
  as_admin_put "/api/device-events/settings/$DEV_B" '{"events":[{"action":"turned_on","record":true}]}'
  assert_error 400 'events[0].notify: is required'
  as_admin_put "/api/device-events/settings/$DEV_B" '{}'
  assert_error 400 'events: is required'
  as_admin_put "/api/device-events/settings/$(uuid_new)" '{"events":[]}'
  assert_error 404 'device not found'
  api_json PUT "/api/device-events/settings/$DEV_B" '{"events":[]}' -H "Authorization: Bearer $(token_for member)"
  assert_error 403
  # Nothing the refusals carried was written.
  as_member "/api/device-events/settings?deviceId=$DEV_B"
  settings_are turned_on:false:false:true turned_off:true:true:false
}
