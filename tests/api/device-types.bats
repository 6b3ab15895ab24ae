#!/usr/bin/env bats
# device-types.bats — /api/device-types: the registry's built-in rows, reads, and the
# PUT upsert by admins and the station-agent (SPEC §4 device-types, docs/devices.md).
#
# Types made here are named bats-*-<run>, and removed at the end, so the suite can run
# again and again against the same stack.

load ../helpers/common
load ../helpers/api

setup_file() {
  api_suite_begin r
}

teardown_file() {
  psql_exec "DELETE FROM device_types WHERE id LIKE 'bats-%-$RUN'" >/dev/null || true
}

# put WHO ID JSON: PUT /api/device-types/ID with a JSON body.
put() {
  call_as "$1" PUT "/api/device-types/$2" -H 'Content-Type: application/json' --data-binary "$3"
}

@test "the list holds the four built-in types, ordered by id" {
  call_as member GET /api/device-types
  assert_status 200
  [ "$(jqc '[.[] | select(.builtIn) | .id]')" = '["climate","light","pir","switch-pir"]' ]
  [ "$(jqc '[.[].id] == ([.[].id] | sort)')" = true ]
  [ "$(jqc '.[0] | keys')" = '["builtIn","capabilities","category","commands","createdAt","events","id","name","periodic","updatedAt"]' ]
}

@test "climate is a periodic sensor of temperature, humidity and pressure" {
  call_as member GET /api/device-types/climate
  assert_status 200
  assert_each '.category' 'sensor' '.periodic' 'true' '.builtIn' 'true'
  assert_each_c '.capabilities' '[{"key":"temperature","type":"number","unit":"°C"},{"key":"humidity","type":"number","unit":"%"},{"key":"pressure","type":"number","unit":"hPa"}]' \
    '.commands' '[]' \
    '.events' '[]'
  [[ "$(json_field .createdAt)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]]
}

@test "pir and switch-pir are motion sensors with their events" {
  call_as member GET /api/device-types/pir
  assert_status 200
  assert_each '.category' 'sensor' '.periodic' 'false'
  assert_each_c '.capabilities' '[{"key":"motion","type":"boolean"}]' \
    '.events' '["motion_detected","motion_cleared"]'

  call_as member GET /api/device-types/switch-pir
  assert_status 200
  assert_each_c '.capabilities' '[{"key":"motion","type":"boolean"},{"key":"button","type":"boolean"}]' \
    '.events' '["button_press","motion_detected","motion_cleared"]' \
    '.commands' '[]'
}

@test "light is an actuator with its commands and a 0-100 brightness" {
  call_as member GET /api/device-types/light
  assert_status 200
  assert_json '.category' 'actuator'
  assert_each_c '[.capabilities[] | {key, type, min, max}]' '[{"key":"on","type":"boolean","min":null,"max":null},{"key":"brightness","type":"number","min":0,"max":100}]' \
    '.commands' '[{"action":"toggle"},{"action":"set_brightness","params":["brightness"]},{"action":"turn_on"},{"action":"turn_off"}]' \
    '.events' '["turned_on","turned_off"]'
}

@test "an unknown type is 404" {
  call_as member GET /api/device-types/no-such-type
  assert_status 404
  assert_json '.message' 'device type not found'
}

@test "reading needs an account" {
  call_as anonymous GET /api/device-types
  assert_status 401
  call_as anonymous GET /api/device-types/light
  assert_status 401
}

@test "the agent creates a type (201), then replaces it (200)" {
  local id="bats-dimmer-$RUN"
  put agent "$id" '{"name":"Dimmer","category":"actuator",
    "capabilities":[{"key":"level","type":"number","unit":"%","min":0,"max":10,"junk":true}],
    "commands":[{"action":"set_level","params":["level"]},{"action":"blink","params":[]}],
    "events":["pressed"],"periodic":false,"extra":1}'
  assert_status 201
  assert_each '.id' "$id" '.name' 'Dimmer' '.builtIn' 'false'
  # Stored as rewritten: unknown members dropped, empty params omitted.
  assert_each_c '.capabilities' '[{"key":"level","max":10,"min":0,"type":"number","unit":"%"}]' \
    '.commands' '[{"action":"set_level","params":["level"]},{"action":"blink"}]' \
    '.events' '["pressed"]'
  local created
  created=$(json_field .createdAt)

  put agent "$id" '{"name":"Dimmer 2","category":"sensor","periodic":true}'
  assert_status 200
  assert_each '.name' 'Dimmer 2' '.category' 'sensor' '.periodic' 'true' '.createdAt' "$created"
  [ "$(jqc '[.capabilities, .commands, .events]')" = '[[],[],[]]' ]

  call_as member GET "/api/device-types/$id"
  assert_status 200
  assert_json '.name' 'Dimmer 2'
  [ "$(psql_exec "SELECT built_in FROM device_types WHERE id = '$id'")" = f ]
}

@test "an admin may PUT, a member may not, an anonymous caller is 401" {
  put admin "bats-admin-$RUN" '{"name":"By admin","category":"sensor"}'
  assert_status 201
  put member "bats-member-$RUN" '{"name":"By member","category":"sensor"}'
  assert_status 403
  put anonymous "bats-anon-$RUN" '{"name":"Anonymous","category":"sensor"}'
  assert_status 401
  [ "$(psql_exec "SELECT count(*) FROM device_types WHERE id IN ('bats-member-$RUN', 'bats-anon-$RUN')")" = 0 ]
}

@test "built-in types are read-only" {
  local t
  for t in climate pir switch-pir light; do
    put agent "$t" '{"name":"Hijacked","category":"sensor"}'
    assert_status 409
    assert_json '.message' 'built-in device types cannot be changed'
  done
  call_as member GET /api/device-types/light
  assert_each '.name' 'Light' '.builtIn' 'true'
}

@test "ids outside ^[a-z0-9][a-z0-9_-]{0,63}$ are refused" {
  local id
  for id in "Bats-Upper-$RUN" "-bats-$RUN" "bats.dot.$RUN" "$(printf 'a%.0s' {1..65})"; do
    put admin "$id" '{"name":"Bad id","category":"sensor"}'
    assert_status 400
    assert_json '.message' 'id: must be 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit'
  done
}

@test "the body is validated field by field" {
  local id="bats-bad-$RUN"
  put admin "$id" '{"category":"sensor"}'
  assert_json '.message' 'name: is required'
  put admin "$id" '{"name":"x","category":"gadget"}'
  assert_json '.message' 'category: must be one of sensor, actuator'
  put admin "$id" '{"name":"x","category":"sensor","capabilities":[{"key":"t","type":"string"}]}'
  assert_json '.message' 'capabilities[0].type: must be one of number, boolean'
  put admin "$id" '{"name":"x","category":"sensor","capabilities":[{"type":"number"}]}'
  assert_json '.message' 'capabilities[0].key: is required'
  put admin "$id" '{"name":"x","category":"sensor","capabilities":[{"key":"a b","type":"number"}]}'
  assert_json '.message' 'capabilities[0].key: must contain only letters, digits, _ and -'
  put admin "$id" '{"name":"x","category":"sensor","capabilities":[{"key":"t","type":"number"},{"key":"t","type":"boolean"}]}'
  assert_json '.message' 'capabilities[1].key: already declared'
  put admin "$id" '{"name":"x","category":"sensor","capabilities":[{"key":"t","type":"boolean","max":1}]}'
  assert_json '.message' 'capabilities[0].max: only number capabilities have a range'
  put admin "$id" '{"name":"x","category":"sensor","capabilities":[{"key":"t","type":"number","min":5,"max":1}]}'
  assert_json '.message' 'capabilities[0].max: must not be less than min'
  put admin "$id" '{"name":"x","category":"actuator","commands":[{"action":"reboot"}]}'
  assert_json '.message' 'commands[0].action: reboot is a built-in command'
  put admin "$id" '{"name":"x","category":"actuator","commands":[{"action":"go"},{"action":"go"}]}'
  assert_json '.message' 'commands[1].action: already declared'
  put admin "$id" '{"name":"x","category":"actuator","commands":[{"action":"go","params":["action"]}]}'
  assert_json '.message' 'commands[0].params[0]: action is reserved'
  put admin "$id" '{"name":"x","category":"actuator","commands":[{"action":"go","params":["a","a"]}]}'
  assert_json '.message' 'commands[0].params[1]: already declared'
  put admin "$id" '{"name":"x","category":"sensor","events":["up","up"]}'
  assert_json '.message' 'events[1]: already declared'
  put admin "$id" '{"name":"x","category":"sensor","periodic":"yes"}'
  assert_json '.message' 'periodic: must be a boolean'
  assert_status 400
  [ "$(psql_exec "SELECT count(*) FROM device_types WHERE id = '$id'")" = 0 ]
}
