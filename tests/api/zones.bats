#!/usr/bin/env bats
# zones.bats — /api/zones: the list in the household's order with device counts, one zone
# with its devices, create/rename/delete with their refusals, PUT /api/zones/order, and
# the pushes on /ws (zone.created, zone.updated, zone.deleted, device.updated for each
# device a deleted zone lets go) seen by a real WebSocket client (SPEC §4 zones,
# docs/zones.md).
#
# Zones made here carry this run's prefix ($RUN) and are removed at the end, so the suite
# can run again and again against the same stack; zones of other suites may exist, so
# lists are looked at through this run's zones only, and an order names every zone there is.

load ../helpers/common
load ../helpers/api
load ../helpers/ws

setup_file() {
  ensure_owner >/dev/null
  export RUN="z$(date +%s)$RANDOM"
  ws_setup
}

teardown() {
  bg_reap
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
  psql_exec "DELETE FROM zones WHERE name LIKE '$RUN %'" >/dev/null || true
}

send() {
  call_as "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary "$4" "${@:5}"
}

# new_zone NAME: creates "$RUN NAME" as admin; prints its id.
new_zone() {
  send admin POST /api/zones "$(jq -cn --arg n "$RUN $1" '{name:$n}')" || return 1
  [ "$status_code" = 201 ] || { echo "create zone: $status_code $body" >&2; return 1; }
  json_field .id
}

# new_device_in SUFFIX NAME ZONE: a light in ZONE; prints its id.
new_device_in() {
  send admin POST /api/devices "{\"externalId\":\"$RUN-$1\",\"name\":\"$2\",\"type\":\"light\",\"zoneId\":\"$3\"}" || return 1
  [ "$status_code" = 201 ] || { echo "create device: $status_code $body" >&2; return 1; }
  json_field .device.id
}

# all_zone_ids: every zone's id, in the order GET /api/zones gives, one per line.
all_zone_ids() {
  call_as member GET /api/zones >/dev/null && json_field '.[].id'
}

# ids_json ID…: {"ids":[…]}
ids_json() { printf '%s\n' "$@" | jq -R . | jq -cs '{ids: .}'; }

# member_ws NAME: a member's WebSocket client in the background (ws_bg), for a minute.
member_ws() { ws_bg "$1" --token "$(token_for member)" --timeout 60; }

@test "create answers 201 with the zone, last in the order, its name trimmed" {
  local first second
  send admin POST /api/zones "$(jq -cn --arg n "$RUN kitchen" '{name:$n}')"
  assert_status 201
  first=$(json_field .id)
  assert_each_c 'keys' '["createdAt","deviceCount","id","name","position","updatedAt"]' \
    '.deviceCount' '0'
  assert_json '.name' "$RUN kitchen"
  send admin POST /api/zones "$(jq -cn --arg n "  $RUN cellar  " '{name:$n}')"
  assert_status 201
  assert_json '.name' "$RUN cellar"
  second=$(json_field .id)
  [ "$(json_field .position)" -gt "$(psql_exec "SELECT position FROM zones WHERE id = '$first'")" ]
  [ "$(psql_exec "SELECT max(position) FROM zones")" = "$(json_field .position)" ]
  [ -n "$second" ]
}

@test "create refuses a taken name in any case, and bad names" {
  new_zone Attic >/dev/null
  refusals admin POST /api/zones \
    409 'name: a zone with this name exists' "$(jq -cn --arg n "$RUN attic" '{name:$n}')" \
    409 'name: a zone with this name exists' "$(jq -cn --arg n "$RUN ATTIC " '{name:$n}')" \
    400 'name: is required' '{}' \
    400 'name: must not be empty' '{"name":""}' \
    400 'name: must not be blank' '{"name":"   "}' \
    400 'name: must be at most 100 characters' "{\"name\":\"$(printf 'n%.0s' {1..101})\"}" \
    400 'name: must be a string' '{"name":7}'
  [ "$(psql_exec "SELECT count(*) FROM zones WHERE lower(name) = lower('$RUN attic')")" = 1 ]
}

@test "the list is a plain array in the household's order, each zone with its deviceCount" {
  local a b
  a=$(new_zone "list a")
  b=$(new_zone "list b")
  new_device_in list-1 "$RUN one" "$a" >/dev/null
  new_device_in list-2 "$RUN two" "$a" >/dev/null
  call_as member GET /api/zones
  assert_status 200
  [ "$(jqc 'type')" = '"array"' ]
  assert_each_c "[.[] | select(.name | startswith(\"$RUN list\")) | [.name, .deviceCount]]" \
    "[[\"$RUN list a\",2],[\"$RUN list b\",0]]"
  # in the order of position, ties by name
  [ "$(jqc '[.[].position] == ([.[].position] | sort)')" = true ]
  [ -n "$b" ]
}

@test "one zone comes with its devices, in the devices module's Device JSON" {
  local zone lamp
  zone=$(new_zone "with devices")
  lamp=$(new_device_in one-lamp "$RUN lamp" "$zone")
  new_device_in one-lamp2 "$RUN Another lamp" "$zone" >/dev/null
  call_as member GET "/api/zones/$zone"
  assert_status 200
  assert_each_c 'keys' '["createdAt","deviceCount","devices","id","name","position","updatedAt"]' \
    '.deviceCount' '2' \
    '[.devices[].name]' "[\"$RUN Another lamp\",\"$RUN lamp\"]"
  assert_json '.id' "$zone"
  local listed
  listed=$(jq -c ".devices[] | select(.id == \"$lamp\")" <<<"$body")
  call_as member GET "/api/devices/$lamp"
  [ "$listed" = "$(jqc .)" ]
  # an empty zone has an empty list
  zone=$(new_zone empty)
  call_as member GET "/api/zones/$zone"
  assert_each_c '.devices' '[]' '.deviceCount' '0'
}

@test "unknown and malformed ids are 404 on get, patch and delete" {
  local id
  id=$(uuid_new)
  call_as member GET "/api/zones/$id"
  assert_error 404 'zone not found'
  send admin PATCH "/api/zones/$id" '{"name":"x"}'
  assert_error 404 'zone not found'
  call_as admin DELETE "/api/zones/$id"
  assert_error 404 'zone not found'
  call_as member GET /api/zones/kitchen
  assert_error 404
  call_as admin DELETE /api/zones/kitchen
  assert_error 404
}

@test "patch renames, refuses a taken name and bad names" {
  local zone
  zone=$(new_zone "to rename")
  new_zone "taken" >/dev/null
  send admin PATCH "/api/zones/$zone" "$(jq -cn --arg n " $RUN renamed " '{name:$n}')"
  assert_status 200
  assert_json '.name' "$RUN renamed"
  assert_json '.id' "$zone"
  refusals admin PATCH "/api/zones/$zone" \
    409 'name: a zone with this name exists' "$(jq -cn --arg n "$RUN TAKEN" '{name:$n}')" \
    400 'name: is required' '{}' \
    400 'name: must not be blank' '{"name":" "}' \
    400 'name: must be at most 100 characters' "{\"name\":\"$(printf 'n%.0s' {1..101})\"}"
  # its own name in another case is no conflict
  send admin PATCH "/api/zones/$zone" "$(jq -cn --arg n "$RUN RENAMED" '{name:$n}')"
  assert_status 200
}

@test "members read zones; only owners and admins create, rename, reorder and delete" {
  local zone
  zone=$(new_zone guarded)
  send member POST /api/zones '{"name":"mine"}'
  assert_status 403
  send member PATCH "/api/zones/$zone" '{"name":"mine"}'
  assert_status 403
  call_as member DELETE "/api/zones/$zone"
  assert_status 403
  send member PUT /api/zones/order '{"ids":[]}'
  assert_status 403
  call_as anonymous GET /api/zones
  assert_status 401
  send owner PATCH "/api/zones/$zone" "$(jq -cn --arg n "$RUN guarded by the owner" '{name:$n}')"
  assert_status 200
}

@test "delete keeps the devices, without a zone, and pushes device.updated for each and zone.deleted" {
  local zone other lamp1 lamp2 stay
  zone=$(new_zone doomed)
  other=$(new_zone survivor)
  lamp1=$(new_device_in del-1 "$RUN doomed 1" "$zone")
  lamp2=$(new_device_in del-2 "$RUN doomed 2" "$zone")
  stay=$(new_device_in del-3 "$RUN stays" "$other")
  member_ws a
  call_as admin DELETE "/api/zones/$zone"
  assert_status 204
  [ -z "$body" ]
  # the devices live on, without a zone; the others keep theirs
  call_as member GET "/api/devices/$lamp1"
  assert_status 200
  assert_json '.zoneId' null
  [ "$(psql_exec "SELECT count(*) FROM devices WHERE id IN ('$lamp1', '$lamp2') AND zone_id IS NULL")" = 2 ]
  [ "$(psql_exec "SELECT zone_id FROM devices WHERE id = '$stay'")" = "$other" ]
  call_as member GET "/api/zones/$zone"
  assert_status 404
  poll 10 got a ".type == \"zone.deleted\" and .data == {\"zoneId\": \"$zone\", \"zoneName\": \"$RUN doomed\"}"
  got a ".type == \"device.updated\" and .data.id == \"$lamp1\" and .data.zoneId == null and .data.name == \"$RUN doomed 1\""
  got a ".type == \"device.updated\" and .data.id == \"$lamp2\" and .data.zoneId == null"
  # the devices were announced before the zone (one transaction, in order)
  [ "$(jq -r 'select(.type == "zone.deleted" or .type == "device.updated") | .type' "$BATS_TEST_TMPDIR/a.out" | tail -n 1)" = zone.deleted ]
  refute got a ".type == \"device.updated\" and .data.id == \"$stay\""
}

@test "create and rename push zone.created and zone.updated with the zone" {
  local zone
  member_ws b
  zone=$(new_zone pushed)
  send admin PATCH "/api/zones/$zone" "$(jq -cn --arg n "$RUN pushed again" '{name:$n}')"
  assert_status 200
  poll 10 got b ".type == \"zone.updated\" and .data.id == \"$zone\" and .data.name == \"$RUN pushed again\" and .data.deviceCount == 0"
  got b ".type == \"zone.created\" and .data.id == \"$zone\" and .data.name == \"$RUN pushed\" and (.data.position | type) == \"number\" and (.ts | type) == \"string\""
}

@test "PUT /api/zones/order rewrites the order, answers the list and pushes the zones that moved" {
  local a b c ids reversed
  a=$(new_zone "order a")
  b=$(new_zone "order b")
  c=$(new_zone "order c")
  mapfile -t ids < <(all_zone_ids)
  reversed=()
  for ((i = ${#ids[@]} - 1; i >= 0; i--)); do reversed+=("${ids[i]}"); done
  member_ws c
  send admin PUT /api/zones/order "$(ids_json "${reversed[@]}")"
  assert_status 200
  [ "$(jqc '[.[].id]')" = "$(printf '%s\n' "${reversed[@]}" | jq -R . | jq -cs .)" ]
  [ "$(jqc '[.[].position]')" = "$(seq 0 $((${#ids[@]} - 1)) | jq -cs .)" ]
  [ "$(all_zone_ids | jq -R . | jq -cs .)" = "$(printf '%s\n' "${reversed[@]}" | jq -R . | jq -cs .)" ]
  poll 10 got c ".type == \"zone.updated\" and .data.id == \"$c\" and .data.position == 0"
  # the same order again moves nothing and still answers the list
  send admin PUT /api/zones/order "$(ids_json "${reversed[@]}")"
  assert_status 200
  [ "$(jqc 'length')" = "${#ids[@]}" ]
  # a new zone goes last
  local d
  d=$(new_zone "order d")
  [ "$(all_zone_ids | tail -n 1)" = "$d" ]
  [ -n "$a" ] && [ -n "$b" ]
}

@test "PUT /api/zones/order refuses a missing, repeated or unknown id, naming it, and changes nothing" {
  local ids before unknown
  new_zone "strict a" >/dev/null
  new_zone "strict b" >/dev/null
  mapfile -t ids < <(all_zone_ids)
  before=$(psql_exec "SELECT string_agg(id || ':' || position, ',' ORDER BY id) FROM zones")
  unknown=$(uuid_new)
  refusals admin PUT /api/zones/order \
    400 "ids: zone ${ids[-1]} is missing; the order must name every zone" "$(ids_json "${ids[@]:0:${#ids[@]}-1}")" \
    400 "ids[${#ids[@]}]: ${ids[0]} is repeated" "$(ids_json "${ids[@]}" "${ids[0]}")" \
    400 "ids[1]: ${ids[0]^^} is repeated" "$(ids_json "${ids[0]}" "${ids[0]^^}" "${ids[@]:1}")" \
    400 "ids[${#ids[@]}]: $unknown is not a zone" "$(ids_json "${ids[@]}" "$unknown")" \
    400 "ids[0]: $unknown is not a zone" "$(ids_json "$unknown" "${ids[@]:1}")" \
    400 'ids: is required' '{}' \
    400 'ids[0]: must be a UUID' '{"ids":["kitchen"]}' \
    400 'ids: must be an array' '{"ids":"all"}'
  [ "$(psql_exec "SELECT string_agg(id || ':' || position, ',' ORDER BY id) FROM zones")" = "$before" ]
}
