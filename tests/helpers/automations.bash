# automations.bash — helpers of the automations suites (`load ../helpers/automations` after
# common and mqtt). Automations are rows inserted with $STATION_PSQL (published), as the
# REST module would write them; manual runs are a 'running' run row plus
# NOTIFY automation_runs, as POST /api/automations/:id/run makes them.
#
#   automation_add NAME FLOW_JSON   a published automation; prints its id
#   manual_run AUTOMATION_ID        a run made by hand; prints its id
#   manual_run_done AUTOMATION_ID   the same, once the run has ended (15 s at most)
#   run_count AUTOMATION_ID [STATUS]
#   last_run AUTOMATION_ID          the id of its latest run
#   run_field RUN_ID COLUMN         a column of the run (status, error, trigger…)
#   run_done RUN_ID                 the run is no longer 'running'
#   step RUN_ID NODE_ID FILTER      jq FILTER on the step's row as JSON
#                                   ({status,kind,output,error,due_at,finished_at})
#   commands_to DEVICE_ID [ACTION]  device_commands rows for the device (of that action)
#   node KIND CONFIG ID TYPE        one node's JSON;   edge FROM TO [HANDLE]  one edge's JSON
#   flow NODES EDGES                {"nodes":[NODES],"edges":[EDGES]}
# station-automationd of the stack, started and stopped as scripts/dev does:
#   automationd_pid / automationd_log / automationd_start / automationd_stop / automationd_kill9
#   automationd_logged_since OFFSET PATTERN
# The test HTTP server (tests/helpers/webhook_server.py):
#   webhook_server_start            sets HOOK_URL (http://127.0.0.1:PORT) and HOOK_LOG
#   hook_requests PATH              how many requests PATH received

automation_add() {
  psql_exec "INSERT INTO automations (name, status, flow, published_at)
             VALUES ($(sql_literal "$1"), 'published', $(sql_literal "$2")::jsonb, now()) RETURNING id"
}

manual_run() {
  psql_exec "WITH r AS (INSERT INTO automation_runs (automation_id, trigger)
                        VALUES ('$1', '{\"kind\":\"manual\"}') RETURNING id)
             SELECT r.id FROM r, LATERAL (SELECT pg_notify('automation_runs', r.id::text)) n"
}

manual_run_done() {
  local run
  run=$(manual_run "$1")
  poll 15 run_done "$run" || return 1
  echo "$run"
}

run_count() {
  psql_exec "SELECT count(*) FROM automation_runs WHERE automation_id = '$1' ${2:+AND status = '$2'}"
}
last_run() { psql_exec "SELECT id FROM automation_runs WHERE automation_id = '$1' ORDER BY started_at DESC, id DESC LIMIT 1"; }
run_field() { psql_exec "SELECT $2 FROM automation_runs WHERE id = '$1'"; }
run_done() { [ "$(run_field "$1" status)" != running ]; }
step() {
  psql_exec "SELECT row_to_json(s) FROM (SELECT status, kind, output, error, due_at, finished_at
             FROM automation_steps WHERE run_id = '$1' AND node_id = $(sql_literal "$2")) s" | jq -r "$3"
}
commands_to() {
  psql_exec "SELECT count(*) FROM device_commands WHERE device_id = '$1' ${2:+AND action = '$2'}"
}

node() { printf '{"id":"%s","type":"%s","data":{"kind":"%s","config":%s}}' "$3" "$4" "$1" "$2"; }
edge() {
  if [ -n "${3:-}" ]; then
    printf '{"id":"%s-%s","source":"%s","target":"%s","sourceHandle":"%s"}' "$1" "$2" "$1" "$2" "$3"
  else
    printf '{"id":"%s-%s","source":"%s","target":"%s"}' "$1" "$2" "$1" "$2"
  fi
}
flow() { printf '{"nodes":[%s],"edges":[%s]}' "$1" "$2"; }

automationd_pid() { cat "$STATION_RUN_DIR/pid/station-automationd.pid" 2>/dev/null; }
automationd_log() { echo "$STATION_RUN_DIR/log/station-automationd.log"; }
automationd_size() { stat -c %s "$(automationd_log)"; }
automationd_logged_since() { tail -c +"$(($1 + 1))" "$(automationd_log)" | grep -q -- "$2"; }
automationd_running() { stack_daemon_running station-automationd; }
# Starts it as scripts/dev does; returns once it has taken up the runs left to it.
automationd_start() { stack_daemon_start station-automationd '"msg":"runs taken up"'; }
automationd_stop() { stack_daemon_stop station-automationd; }
automationd_kill9() {
  local pid
  automationd_running || return 0
  pid=$(automationd_pid)
  kill -9 "$pid"
  poll 10 eval "! proc_starttime $pid >/dev/null"
}

webhook_server_start() {
  local dir=$BATS_TEST_TMPDIR
  HOOK_LOG=$dir/hooks.log
  : >"$HOOK_LOG"
  python3 "$STATION_SRC_DIR/tests/helpers/webhook_server.py" "$dir/hook.port" "$HOOK_LOG" 3>&- &
  bg_track $!
  poll 10 test -s "$dir/hook.port"
  HOOK_URL=http://127.0.0.1:$(cat "$dir/hook.port")
  export HOOK_URL HOOK_LOG
}
hook_requests() { jq -c "select(.path == \"$1\")" "$HOOK_LOG" | wc -l; }
