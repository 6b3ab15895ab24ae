#!/usr/bin/env bats
# automations.bats — /api/automations: drafts (create, read, change, delete), publishing
# with every problem of the graph listed (lib/flow's and the registry's, each alone and
# several at once), unpublishing, manual runs (202 and the row station-automationd takes
# up), the paged run history with its steps, and automations owned by a kit (SPEC §4
# automations, docs/automations.md).
#
# Runs and steps are written here with SQL where station-automationd would write them.
# Everything made here carries this run's prefix ($RUN) and is removed at the end.

load ../helpers/common
load ../helpers/api

setup_file() {
  api_suite_begin au
  SWITCH=$(device_id_new sw "Hall switch" switch-pir) || return 1
  LIGHT=$(device_id_new li "Hall light" light) || return 1
  export SWITCH LIGHT
}

teardown() {
  bg_reap
}

teardown_file() {
  psql_exec "DELETE FROM device_kits WHERE devices::text LIKE '%$LIGHT%'" >/dev/null || true
  psql_exec "DELETE FROM automations WHERE name LIKE '$RUN%'" >/dev/null || true
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}


# A valid graph: the switch's button toggles the light.
good_flow() {
  jq -cn --arg s "$SWITCH" --arg l "$LIGHT" '{
    nodes: [{id: "t", type: "trigger", data: {kind: "device_event_received", config: {deviceId: $s, eventAction: "button_press"}}},
            {id: "a", type: "action", data: {kind: "device_command", config: {deviceId: $l, command: "toggle"}}}],
    edges: [{id: "e1", source: "t", target: "a"}]}'
}

# flow_after_trigger TYPE KIND CONFIG: the switch's trigger, then one node n of TYPE/KIND/CONFIG.
flow_after_trigger() {
  jq -cn --arg s "$SWITCH" --arg type "$1" --arg kind "$2" --argjson config "$3" '{
    nodes: [{id: "t", type: "trigger", data: {kind: "device_event_received", config: {deviceId: $s, eventAction: "button_press"}}},
            {id: "n", type: $type, data: {kind: $kind, config: $config}}],
    edges: [{id: "e1", source: "t", target: "n"}]}'
}

# new_automation NAME [FLOW]: a draft; prints its id.
new_automation() {
  local flow=${2:-$(good_flow)}
  send admin POST /api/automations "$(jq -cn --arg n "$RUN $1" --argjson f "$flow" '{name: $n, flow: $f}')" || return 1
  [ "$status_code" = 201 ] || { echo "create automation: $status_code $body" >&2; return 1; }
  json_field .id
}

# publish_refused FLOW MESSAGE: a draft of FLOW does not publish, with exactly MESSAGE.
publish_refused() {
  local id
  id=$(new_automation refused "$1") || return 1
  send admin POST "/api/automations/$id/publish" '' || return 1
  assert_error 400 "$2" || return 1
  call_as member GET "/api/automations/$id" && assert_json .status draft
}

@test "a draft is made, read, listed, changed and deleted in the shape of SPEC §4" {
  local id
  id=$(new_automation "Morning")
  call_as member GET "/api/automations/$id"
  assert_status 200
  assert_each .name "$RUN Morning" .status draft .description null .kitId null .lastRunAt null .lastRunStatus null
  [ "$(jq --argjson f "$(good_flow)" '.flow == $f' <<<"$body")" = true ]
  assert_each_c 'keys' \
    '["createdAt","description","flow","id","kitId","lastRunAt","lastRunStatus","name","status","updatedAt"]'
  call_as member GET /api/automations
  assert_status 200
  [ "$(jq -r --arg id "$id" '[.[] | select(.id == $id)] | length' <<<"$body")" = 1 ]

  send admin PATCH "/api/automations/$id" '{"name":"'"$RUN"' Evening","description":"after sunset"}'
  assert_status 200
  assert_each .name "$RUN Evening" .description "after sunset" .status draft
  send admin PATCH "/api/automations/$id" '{"description":null}'
  assert_each .name "$RUN Evening" .description null

  call_as admin DELETE "/api/automations/$id"
  assert_status 204
  call_as member GET "/api/automations/$id"
  assert_error 404 "automation not found"
}

@test "a draft may hold an unfinished graph; an empty one is the default" {
  send admin POST /api/automations '{"name":"'"$RUN"' empty"}'
  assert_status 201
  assert_each_c .flow '{"edges":[],"nodes":[]}'
  local id
  id=$(new_automation unfinished '{"nodes":[{"id":"x","type":"action"}],"edges":[]}')
  call_as member GET "/api/automations/$id"
  assert_each_c .flow '{"edges":[],"nodes":[{"id":"x","type":"action"}]}'
}

@test "bad input names the field" {
  refusals admin POST /api/automations \
    400 "name: is required" '{}' \
    400 "name: must not be blank" '{"name":"   "}' \
    400 "name: must be at most 100 characters" "{\"name\":\"$(printf 'x%.0s' {1..101})\"}" \
    400 "flow: must be an object" '{"name":"n","flow":[]}' \
    400 "flow.nodes: is required" '{"name":"n","flow":{"edges":[]}}' \
    400 "flow.edges: must be an array" '{"name":"n","flow":{"nodes":[],"edges":7}}' \
    400 "flow.nodes[0]: must be an object" '{"name":"n","flow":{"nodes":[1],"edges":[]}}'
  local many
  many=$(jq -cn '{name: "n", flow: {nodes: [range(101) | {id: "n\(.)"}], edges: []}}')
  send admin POST /api/automations "$many"
  assert_status 400
  assert_json .message "flow.nodes: must have between 0 and 100 items"
  send admin PATCH "/api/automations/$(uuid_new)" '{"name":"x"}'
  assert_error 404 "automation not found"
  call_as member GET /api/automations/not-a-uuid
  assert_status 404
}

@test "a valid graph publishes; unpublish makes it a draft again" {
  local id
  id=$(new_automation publishable)
  send admin POST "/api/automations/$id/publish" ''
  assert_status 200
  assert_json .status published
  [ "$(psql_exec "SELECT published_at IS NOT NULL FROM automations WHERE id = '$id'")" = t ]
  send admin POST "/api/automations/$id/unpublish" ''
  assert_status 200
  assert_json .status draft
  send admin POST "/api/automations/$(uuid_new)/publish" ''
  assert_error 404 "automation not found"
}

@test "publishing refuses each structural problem alone, naming its place" {
  publish_refused '{"nodes":[],"edges":[]}' "flow.nodes: must contain a trigger"
  publish_refused "$(flow_after_trigger action delay '{"seconds":86401}')" \
    "flow.nodes[1].data.config.seconds: must be at most 86400"
  publish_refused "$(flow_after_trigger action webhook '{"url":"ftp://example.org/x","method":"POST"}')" \
    "flow.nodes[1].data.config.url: must be an http or https URL"
  publish_refused "$(flow_after_trigger condition time_range '{"start":"25:00","end":"06:00"}' |
    jq -c '.nodes += [{id: "d", type: "action", data: {kind: "delay", config: {seconds: 1}}}] |
           .edges += [{id: "e2", source: "n", target: "d", sourceHandle: "true"}]')" \
    "flow.nodes[1].data.config.start: must be a time HH:MM"
  publish_refused "$(good_flow | jq -c '.edges[0].target = "ghost"')" \
    "flow.edges[0].target: no node has id \"ghost\"; flow.nodes[0]: a trigger must lead to another node; flow.nodes[1]: is not reachable from a trigger"
  publish_refused "$(good_flow | jq -c '.nodes[1].data.kind = "teleport"')" \
    "flow.nodes[1].data.kind: must be one of device_command, delay, webhook"
}

@test "publishing refuses what the devices cannot do, each alone" {
  local ghost
  ghost=$(uuid_new)
  publish_refused "$(good_flow | jq -c --arg g "$ghost" '.nodes[1].data.config.deviceId = $g')" \
    "flow.nodes[1].data.config.deviceId: no device $ghost"
  publish_refused "$(good_flow | jq -c '.nodes[1].data.config.command = "explode"')" \
    "flow.nodes[1].data.config.command: not a command of light"
  publish_refused "$(good_flow | jq -c '.nodes[0].data.config.eventAction = "turned_on"')" \
    "flow.nodes[0].data.config.eventAction: not an event of switch-pir"
  publish_refused "$(good_flow | jq -c '.nodes[1].data.config = {deviceId: .nodes[1].data.config.deviceId, command: "set_brightness", params: {brightness: 150}}')" \
    "flow.nodes[1].data.config.params.brightness: must be a number between 0 and 100"
  publish_refused "$(flow_after_trigger condition state_compare "$(jq -cn --arg l "$LIGHT" '{deviceId: $l, capability: "temperature", operator: "gt", value: 20}')" |
    jq -c '.nodes += [{id: "d", type: "action", data: {kind: "delay", config: {seconds: 1}}}] |
           .edges += [{id: "e2", source: "n", target: "d", sourceHandle: "true"}]')" \
    "flow.nodes[1].data.config.capability: not a capability of light"
  publish_refused "$(flow_after_trigger condition state_compare "$(jq -cn --arg l "$LIGHT" '{deviceId: $l, capability: "brightness", operator: "gt", value: 101}')" |
    jq -c '.nodes += [{id: "d", type: "action", data: {kind: "delay", config: {seconds: 1}}}] |
           .edges += [{id: "e2", source: "n", target: "d", sourceHandle: "false"}]')" \
    "flow.nodes[1].data.config.value: must be a number between 0 and 100 (brightness of light)"
}

@test "publishing lists every problem at once" {
  local ghost flow
  ghost=$(uuid_new)
  flow=$(jq -cn --arg s "$SWITCH" --arg l "$LIGHT" --arg g "$ghost" '{
    nodes: [{id: "t", type: "trigger", data: {kind: "schedule", config: {cron: "* *"}}},
            {id: "c", type: "action", data: {kind: "device_command", config: {deviceId: $l, command: "explode"}}},
            {id: "d", type: "action", data: {kind: "delay", config: {seconds: 0}}},
            {id: "g", type: "action", data: {kind: "device_command", config: {deviceId: $g, command: "toggle"}}}],
    edges: [{id: "e1", source: "t", target: "c"}, {id: "e2", source: "c", target: "d"},
            {id: "e3", source: "d", target: "g"}, {id: "e4", source: "g", target: "c"}]}')
  publish_refused "$flow" "flow.nodes[0].data.config.cron: expected 5 fields (minute hour day-of-month month day-of-week), got 2; flow.nodes[2].data.config.seconds: must be at least 1; flow.edges[3]: closes a cycle (g → c); flow.nodes[1].data.config.command: not a command of light; flow.nodes[3].data.config.deviceId: no device $ghost"
}

@test "a published automation keeps a flow that publishes: PATCH refuses one that would not" {
  local id
  id=$(new_automation live)
  send admin POST "/api/automations/$id/publish" ''
  assert_status 200
  send admin PATCH "/api/automations/$id" "$(jq -cn --argjson f "$(good_flow | jq -c '.nodes[1].data.config.command = "explode"')" '{flow: $f}')"
  assert_error 400 "flow.nodes[1].data.config.command: not a command of light"
  call_as member GET "/api/automations/$id"
  assert_each .status published .flow.nodes[1].data.config.command toggle
  send admin PATCH "/api/automations/$id" "$(jq -cn --argjson f "$(good_flow | jq -c '.nodes[1].data.config.command = "turn_on"')" '{flow: $f}')"
  assert_status 200
  assert_each .status published .flow.nodes[1].data.config.command turn_on
}

@test "run: a draft is refused; a published automation gets a running row, announced to automationd" {
  local id run
  id=$(new_automation runnable)
  send admin POST "/api/automations/$id/run" ''
  assert_error 409 "automation is a draft: publish it before running it"
  [ "$(psql_exec "SELECT count(*) FROM automation_runs WHERE automation_id = '$id'")" = 0 ]
  send admin POST "/api/automations/$id/publish" ''
  # A listener on automation_runs, as station-automationd is.
  (
    echo 'LISTEN automation_runs;'
    for _ in $(seq 150); do echo 'SELECT pg_sleep(0.1);'; done
  ) | PGAPPNAME=bats-runs-listener $STATION_PSQL -X -q -At >"$BATS_TEST_TMPDIR/listen.out" 2>&1 3>&- &
  bg_track $!
  poll 10 eval "[ \"\$(psql_exec \"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'bats-runs-listener' AND query LIKE 'SELECT pg_sleep%'\")\" = 1 ]"
  send admin POST "/api/automations/$id/run" ''
  assert_status 202
  run=$(json_field .runId)
  # The row is made 'running'; station-automationd, when it runs, may already have taken it
  # further by now (its own suites check what it does with it).
  [ "$(psql_exec "SELECT automation_id, trigger ->> 'kind' FROM automation_runs WHERE id = '$run'")" = "$id|manual" ]
  # lastRunAt is the run's start at once, as for a run automationd starts itself.
  [ "$(psql_exec "SELECT a.last_run_at = r.started_at FROM automations a JOIN automation_runs r ON r.automation_id = a.id
                  WHERE r.id = '$run'")" = t ]
  poll 10 grep -q "\"automation_runs\" with payload \"$run\"" "$BATS_TEST_TMPDIR/listen.out"
  send member POST "/api/automations/$id/run" ''
  assert_status 403
}

@test "runs are paged newest first, each with its steps in the order they started" {
  local id first second cursor
  id=$(new_automation history)
  psql_exec "INSERT INTO automation_runs (automation_id, status, trigger, started_at, finished_at)
             SELECT '$id', 'success', jsonb_build_object('kind', 'manual', 'n', g),
                    '2026-01-01T00:00:00Z'::timestamptz + g * interval '1 minute',
                    '2026-01-01T00:00:01Z'::timestamptz + g * interval '1 minute'
             FROM generate_series(1, 5) g" >/dev/null
  psql_exec "INSERT INTO automation_steps (run_id, node_id, kind, status, output, started_at, finished_at)
             SELECT r.id, s.node, s.kind, 'success', s.output, r.started_at + s.ord * interval '1 ms', r.finished_at
             FROM automation_runs r,
                  (VALUES (2, 'a', 'device_command', '{\"commandId\":\"c\"}'::jsonb), (1, 't', 'device_event_received', NULL)) AS s(ord, node, kind, output)
             WHERE r.automation_id = '$id'" >/dev/null
  call_as member GET "/api/automations/$id/runs?limit=2"
  assert_status 200
  assert_each '.items | length' 2 '.items[0].trigger.n' 5 '.items[1].trigger.n' 4 \
    '.items[0].automationId' "$id" '.items[0].status' success '.items[0].error' null
  assert_each_c '.items[0].steps | map(.nodeId)' '["t","a"]' '.items[0].steps[1] | keys' \
    '["error","finishedAt","kind","nodeId","output","startedAt","status"]' \
    '.items[0].steps[1].output' '{"commandId":"c"}' '.items[0] | keys' \
    '["automationId","error","finishedAt","id","startedAt","status","steps","trigger"]'
  cursor=$(json_field .nextCursor)
  call_as member GET "/api/automations/$id/runs?limit=2&before=$cursor"
  assert_each '.items | map(.trigger.n) | join(",")' 3,2
  call_as member GET "/api/automations/$id/runs?limit=2&before=$(json_field .nextCursor)"
  assert_each '.items | map(.trigger.n) | join(",")' 1 .nextCursor null
  call_as member GET "/api/automations/$id/runs"
  assert_each '.items | length' 5 .nextCursor null

  call_as member GET "/api/automations/$id/runs?before=nonsense"
  assert_error 400 "before: invalid cursor"
  call_as member GET "/api/automations/$id/runs?limit=501"
  assert_status 400
  call_as member GET "/api/automations/$(uuid_new)/runs"
  assert_error 404 "automation not found"
}

@test "an automation of a kit cannot be deleted alone (409); it goes with its kit" {
  local kit id
  kit=$(psql_exec "SELECT kit_apply('switch-light', jsonb_build_object('trigger', '$SWITCH', 'target', '$LIGHT'), NULL)")
  id=$(psql_exec "SELECT id FROM automations WHERE kit_id = '$kit'")
  call_as member GET "/api/automations/$id"
  assert_each .kitId "$kit" .status published .name "Button → Toggle Light"
  call_as admin DELETE "/api/automations/$id"
  assert_error 409 "automation belongs to kit $kit: delete the kit instead"
  psql_exec "DELETE FROM device_kits WHERE id = '$kit'" >/dev/null
  call_as member GET "/api/automations/$id"
  assert_status 404
}
