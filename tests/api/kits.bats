#!/usr/bin/env bats
# kits.bats — /api/kits: presets (list, add, replace, delete; built-in ones refused with
# 409; templates checked with "$<roleKey>" placeholders), kits made from a preset and
# devices (roles filled by devices of the right types, or 400 naming each problem; the
# automations made published with the devices' ids put in), and a kit's deletion taking
# its automations along (SPEC §4 kits, docs/automations.md).
#
# Everything made here carries this run's prefix ($RUN) and is removed at the end.

load ../helpers/common
load ../helpers/api

setup_file() {
  api_suite_begin kt
  export PRESET="p-${RUN}"
  SWITCH=$(device_id_new sw "Desk switch" switch-pir) || return 1
  LIGHT=$(device_id_new li "Desk light" light) || return 1
  LIGHT2=$(device_id_new li2 "Desk lamp" light) || return 1
  PIR=$(device_id_new pir "Desk motion" pir) || return 1
  export SWITCH LIGHT LIGHT2 PIR
}

teardown_file() {
  psql_exec "DELETE FROM device_kits WHERE preset_id LIKE 'p-$RUN%' OR devices::text LIKE '%$LIGHT%' OR devices::text LIKE '%$LIGHT2%'" >/dev/null || true
  psql_exec "DELETE FROM kit_presets WHERE id LIKE 'p-$RUN%'" >/dev/null || true
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}


# A preset of id ID: motion from "sensor" turns "lamp" on (templates TEMPLATES if given).
preset_json() {
  local templates=${2:-'[{"name":"Motion → Lamp on","nodes":[
    {"id":"m","type":"trigger","data":{"kind":"device_state_changed","config":{"deviceId":"$sensor","capability":"motion","value":true}}},
    {"id":"on","type":"action","data":{"kind":"device_command","config":{"deviceId":"$lamp","command":"set_brightness","params":{"brightness":80}}}}],
    "edges":[{"id":"e","source":"m","target":"on"}]}]'}
  jq -cn --arg id "$1" --argjson t "$templates" \
    '{id: $id, name: "Motion lamp", roles: [{key: "sensor", type: "pir"}, {key: "lamp", type: "light"}], automationTemplates: $t}'
}

@test "the built-in preset switch-light is listed as SPEC §4 describes it, and cannot be changed or deleted" {
  call_as member GET /api/kits/presets
  assert_status 200
  body=$(jq -c '.[] | select(.id == "switch-light")' <<<"$body")
  assert_each .name "Switch + Light" .autoApply true .builtIn true '.automationTemplates[0].name' "Button → Toggle Light"
  assert_each_c .roles '[{"key":"trigger","type":"switch-pir"},{"key":"target","type":"light"}]'
  call_as admin DELETE /api/kits/presets/switch-light
  assert_error 409 "preset switch-light is built in"
  send admin PUT /api/kits/presets/switch-light "$(preset_json x | jq -c 'del(.id)')"
  assert_error 409 "preset switch-light is built in"
}

@test "presets are added, replaced and deleted" {
  send admin POST /api/kits/presets "$(preset_json "$PRESET-a")"
  assert_status 201
  assert_each .id "$PRESET-a" .autoApply false .builtIn false '.roles[1].key' lamp
  send admin POST /api/kits/presets "$(preset_json "$PRESET-a")"
  assert_error 409 "id: a preset with this id exists"
  # A template is bounded as a flow is: the automations a kit makes are no larger.
  preset_json "$PRESET-big" | jq -c '.automationTemplates[0].pad = ("x" * 262144)' >"$BATS_TEST_TMPDIR/big.json"
  call_as admin POST /api/kits/presets -H 'Content-Type: application/json' --data-binary @"$BATS_TEST_TMPDIR/big.json"
  assert_error 400 "automationTemplates[0]: must be at most 262144 bytes of JSON"
  send admin PUT "/api/kits/presets/$PRESET-a" "$(preset_json x | jq -c 'del(.id) | .name = "Renamed" | .autoApply = true')"
  assert_status 200
  assert_each .name Renamed .autoApply true
  call_as member GET /api/kits/presets
  [ "$(jq -r --arg id "$PRESET-a" '.[] | select(.id == $id) | .name' <<<"$body")" = Renamed ]
  call_as admin DELETE "/api/kits/presets/$PRESET-a"
  assert_status 204
  call_as admin DELETE "/api/kits/presets/$PRESET-a"
  assert_error 404 "preset not found"
  send admin PUT "/api/kits/presets/$PRESET-none" "$(preset_json x | jq -c 'del(.id)')"
  assert_error 404 "preset not found"
}

@test "a preset's templates are checked with \$role placeholders, every problem listed" {
  send admin POST /api/kits/presets "$(preset_json "$PRESET-b" '[{"name":"Bad","nodes":[
    {"id":"m","type":"trigger","data":{"kind":"device_state_changed","config":{"deviceId":"$sensor","capability":"colour"}}},
    {"id":"on","type":"action","data":{"kind":"device_command","config":{"deviceId":"$ghost","command":"toggle"}}},
    {"id":"off","type":"action","data":{"kind":"device_command","config":{"deviceId":"$lamp","command":"explode"}}},
    {"id":"w","type":"action","data":{"kind":"delay","config":{"seconds":90000}}}],
    "edges":[{"id":"e","source":"m","target":"on"},{"id":"e2","source":"m","target":"off"},{"id":"e3","source":"m","target":"w"}]}]')"
  assert_error 400 "automationTemplates[0].nodes[1].data.config.deviceId: \$ghost names no role of the preset; automationTemplates[0].nodes[3].data.config.seconds: must be at most 86400; automationTemplates[0].nodes[0].data.config.capability: not a capability of pir; automationTemplates[0].nodes[2].data.config.command: not a command of light"
  send admin POST /api/kits/presets "$(preset_json "$PRESET-c" | jq -c '.roles[1].type = "toaster"')"
  assert_error 400 "roles[1].type: no device type toaster; automationTemplates[0].nodes[1].data.config.deviceId: no role \$lamp"
  refusals admin POST /api/kits/presets \
    400 "id: is required" "$(preset_json x | jq -c 'del(.id)')" \
    400 "id: must be lower-case letters, digits, '_' and '-' (at most 64), starting with a letter or digit" "$(preset_json 'Bad Id')" \
    400 "roles: must have between 1 and 16 items" "$(preset_json x | jq -c '.roles = []')" \
    400 "roles[1].key: must be letters, digits, '_' and '-'" "$(preset_json x | jq -c '.roles[1].key = "a b"')" \
    400 "automationTemplates[0].nodes: is required" "$(preset_json x | jq -c 'del(.automationTemplates[0].nodes)')"
  [ -z "$(psql_exec "SELECT id FROM kit_presets WHERE id IN ('$PRESET-b', '$PRESET-c')")" ]
}

@test "a kit needs every role filled by a device of its type: 400 naming each problem" {
  refusals admin POST /api/kits \
    400 "presetId: is required" '{"devices":{}}' \
    400 "presetId: no preset nope" '{"presetId":"nope","devices":{}}' \
    400 "devices.trigger: is required (a device of type switch-pir); devices.target: is required (a device of type light)" \
      '{"presetId":"switch-light","devices":{}}' \
    400 "devices.target: must be a device of type light, $PIR is a pir" \
      "{\"presetId\":\"switch-light\",\"devices\":{\"trigger\":\"$SWITCH\",\"target\":\"$PIR\"}}" \
    400 "devices.extra: not a role of switch-light; devices.trigger: must be a UUID; devices.target: no device 00000000-0000-4000-8000-000000000000" \
      '{"presetId":"switch-light","devices":{"extra":"x","trigger":7,"target":"00000000-0000-4000-8000-000000000000"}}'
  [ "$(psql_exec "SELECT count(*) FROM device_kits WHERE devices::text LIKE '%$PIR%'")" = 0 ]
}

@test "a kit makes its automations, published, with the devices' ids put in; the same devices again are 409" {
  local kit auto
  send admin POST /api/kits "{\"presetId\":\"switch-light\",\"devices\":{\"trigger\":\"$SWITCH\",\"target\":\"$LIGHT\"}}"
  assert_status 201
  kit=$(json_field .id)
  assert_each .presetId switch-light .name "Switch + Light" .kitTag null .devices.trigger "$SWITCH" .devices.target "$LIGHT"
  [ "$(psql_exec "SELECT devices_hash FROM device_kits WHERE id = '$kit'")" = "$(printf '%s\n' "$SWITCH" "$LIGHT" | LC_ALL=C sort | paste -sd, | tr -d '\n' | sha256sum | cut -d' ' -f1)" ]
  call_as member GET /api/automations
  body=$(jq -c --arg k "$kit" '[.[] | select(.kitId == $k)]' <<<"$body")
  assert_each length 1 '.[0].status' published '.[0].name' "Button → Toggle Light" \
    '.[0].flow.nodes[0].data.config.deviceId' "$SWITCH" '.[0].flow.nodes[1].data.config.deviceId' "$LIGHT" \
    '.[0].flow.nodes[1].data.config.command' toggle
  call_as member GET /api/kits
  [ "$(jq -r --arg k "$kit" '.[] | select(.id == $k) | .devices.target' <<<"$body")" = "$LIGHT" ]

  send admin POST /api/kits "{\"presetId\":\"switch-light\",\"devices\":{\"target\":\"$LIGHT\",\"trigger\":\"$SWITCH\"}}"
  assert_error 409 "devices: preset switch-light has a kit of these devices already"
  send admin POST /api/kits "{\"presetId\":\"switch-light\",\"devices\":{\"trigger\":\"$SWITCH\",\"target\":\"$LIGHT2\"}}"
  assert_status 201
}

@test "deleting a kit removes its automations" {
  local kit auto
  send admin POST /api/kits/presets "$(preset_json "$PRESET-d")"
  assert_status 201
  send admin POST /api/kits "{\"presetId\":\"$PRESET-d\",\"devices\":{\"sensor\":\"$PIR\",\"lamp\":\"$LIGHT2\"}}"
  assert_status 201
  kit=$(json_field .id)
  auto=$(psql_exec "SELECT id FROM automations WHERE kit_id = '$kit'")
  call_as member GET "/api/automations/$auto"
  assert_each .status published .flow.nodes[0].data.config.deviceId "$PIR" .flow.nodes[1].data.config.params.brightness 80
  call_as admin DELETE "/api/kits/presets/$PRESET-d"
  assert_error 409 "preset $PRESET-d is used by kits: delete them first"
  call_as admin DELETE "/api/kits/$kit"
  assert_status 204
  call_as member GET "/api/automations/$auto"
  assert_error 404 "automation not found"
  call_as admin DELETE "/api/kits/$kit"
  assert_error 404 "kit not found"
  call_as admin DELETE "/api/kits/presets/$PRESET-d"
  assert_status 204
}
