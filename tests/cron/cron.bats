#!/usr/bin/env bats
# cron.bats — station-cron, the maintenance jobs of SPEC §9 (docs/maintenance.md), run as
# cron runs them: `$STATION_BUILD_DIR/station-cron <job>` with STATION_CONFIG, against the
# dev database. Rows are aged through SQL instead of waiting.
#
# The dev stack's cron loop may run the same jobs at any moment, and other suites share the
# database: checks look at this run's rows ($RUN prefix), never at global counts, and a run
# that finds the job "already running" is repeated (run_job). The limits a test depends on
# are set through the environment (STATION_MQTT_HEARTBEAT_TIMEOUT, …), which wins over the
# configuration file.

load ../helpers/common
load ../helpers/api

CRON_LOCK_BASE=$((0x53544352 << 16)) # jobs.c: CRON_LOCK_KEY(n)

setup_file() {
  api_suite_begin r
  export CRON=$STATION_BUILD_DIR/station-cron
  [ -x "$CRON" ] || { echo "$CRON is not built" >&2; return 1; }
  export STATION_MQTT_HEARTBEAT_TIMEOUT=60
  export STATION_EVENTS_RETENTION_DAYS=7
  export STATION_AUTOMATIONS_RUN_RETENTION_DAYS=7
  export USER_ID
  USER_ID=$(psql_exec "INSERT INTO users (email, name, role) VALUES ('$RUN-cron@station.test', 'Cron test', 'member')
                       RETURNING id")
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN-%'" >/dev/null || true
  psql_exec "DELETE FROM users WHERE email = '$RUN-cron@station.test'" >/dev/null || true
}

# new_device SUFFIX [TYPE]: creates "$RUN-SUFFIX" named "$RUN SUFFIX" (default type climate); prints its id.
new_device() { device_id_new "$1" "$RUN $1" "${2:-climate}"; }

# job_twice_leaves JOB QUERY EXPECTED: runs JOB twice (jobs are idempotent); after each run
# it succeeded and QUERY gives EXPECTED.
job_twice_leaves() {
  local i
  for i in 1 2; do
    run_job "$1"
    [ "$status" -eq 0 ] || return 1
    [ "$(psql_exec "$2")" = "$3" ] || { echo "after run $i of $1: $(psql_exec "$2")" >&2; return 1; }
  done
}

# run_job JOB: runs station-cron JOB (bats `run`: $status, $output), again while it finds
# the job already running (the dev stack's cron loop may hold the lock for a moment).
run_job() {
  local i
  for i in 1 2 3 4 5; do
    run "$CRON" "$1"
    [[ "$output" == *'"already running"'* ]] || return 0
    sleep 0.5
  done
  echo "station-cron $1 found the job running five times" >&2
  return 1
}

# The JSON line of the run that did the work.
done_line() {
  grep '"changed":' <<<"$output"
}

sql_count() {
  psql_exec "SELECT count(*) FROM $1"
}

@test "--list names every job with its schedule, and the crontab runs exactly those" {
  run "$CRON" --list
  [ "$status" -eq 0 ]
  [ "$(awk '{print $1}' <<<"$output" | tr '\n' ' ')" = \
    "heartbeat-timeout command-expiry refresh-token-cleanup device-events-cleanup ota-timeout automation-runs-cleanup " ]
  local job schedule line m h dom mon dow user crontab=$STATION_SRC_DIR/daemons/cron/crontab
  while read -r job schedule _; do
    line=$(grep -E "station-cron $job\$" "$crontab")
    [ "$(wc -l <<<"$line")" -eq 1 ]
    read -r m h dom mon dow user _ <<<"$line"
    [ "$dom $mon $dow $user" = '* * * smart-station' ]
    if [ "$schedule" = every ]; then
      [ "$m $h" = '* *' ]
    else
      [[ "$m $h" =~ ^[0-9]+\ [0-9]+$ ]]
    fi
  done <<<"$output"
  [ "$(grep -cE '^[^#].*station-cron [a-z-]+$' "$crontab")" -eq 6 ]
}

@test "an unknown job, or none, exits 2 with the usage listing the jobs" {
  run "$CRON" no-such-job
  [ "$status" -eq 2 ]
  [[ "$output" == *'station-cron: unknown job "no-such-job"'* ]]
  [[ "$output" == *'usage: station-cron <job>'* ]]
  for job in heartbeat-timeout command-expiry refresh-token-cleanup device-events-cleanup ota-timeout automation-runs-cleanup; do
    [[ "$output" == *"$job"* ]]
  done
  run "$CRON"
  [ "$status" -eq 2 ]
  [[ "$output" == *'station-cron: expected one job name'* ]]
  run "$CRON" heartbeat-timeout extra
  [ "$status" -eq 2 ]
}

@test "heartbeat-timeout: a silent online device goes offline with an event and a push; a fresh one stays" {
  local silent fresh seen_only never never_old listen_out
  silent=$(new_device silent)
  fresh=$(new_device fresh light)
  seen_only=$(new_device seen-only)
  never=$(new_device never)
  never_old=$(new_device never-old)
  psql_exec "UPDATE devices SET status = 'online', last_heartbeat_at = now() - interval '10 minutes',
                                last_seen_at = now() WHERE id = '$silent';
             UPDATE devices SET status = 'online', last_heartbeat_at = now(), last_seen_at = now() WHERE id = '$fresh';
             UPDATE devices SET status = 'online', last_heartbeat_at = NULL,
                                last_seen_at = now() - interval '10 minutes' WHERE id = '$seen_only';
             UPDATE devices SET status = 'online', last_heartbeat_at = NULL, last_seen_at = NULL WHERE id = '$never';
             UPDATE devices SET status = 'online', last_heartbeat_at = NULL, last_seen_at = NULL,
                                created_at = now() - interval '10 minutes' WHERE id = '$never_old'" >/dev/null

  listen_out=$BATS_TEST_TMPDIR/notifications
  $STATION_PSQL -X -At -c 'LISTEN station_events' -c 'SELECT pg_sleep(3)' >"$listen_out" 2>&1 &
  local listener=$!
  sleep 0.5
  run_job heartbeat-timeout
  [ "$status" -eq 0 ]
  wait "$listener"

  [ "$(psql_exec "SELECT status FROM devices WHERE id = '$silent'")" = offline ]
  [ "$(psql_exec "SELECT status FROM devices WHERE id = '$seen_only'")" = offline ]
  [ "$(psql_exec "SELECT status FROM devices WHERE id = '$fresh'")" = online ]
  # never heard from: silent since its registration (docs/maintenance.md)
  [ "$(psql_exec "SELECT status FROM devices WHERE id = '$never'")" = online ]
  [ "$(psql_exec "SELECT status FROM devices WHERE id = '$never_old'")" = offline ]

  [ "$(psql_exec "SELECT kind || ' ' || action || ' ' || data::text FROM device_events WHERE device_id = '$silent'")" = \
    'status_changed offline {"to": "offline", "from": "online", "reason": "heartbeat_timeout"}' ]
  [ "$(sql_count "device_events WHERE device_id IN ('$seen_only', '$never_old')")" -eq 2 ]
  [ "$(sql_count "device_events WHERE device_id IN ('$fresh', '$never')")" -eq 0 ]

  # the push, as wsd will hear it
  local payload
  payload=$(grep -o "with payload \".*\" received" "$listen_out" | sed 's/^with payload "//; s/" received$//' |
            jq -c --arg id "$silent" 'select(.data.deviceId == $id)')
  [ "$(jq -c '{type, data}' <<<"$payload")" = \
    "{\"type\":\"device.statusChanged\",\"data\":{\"deviceId\":\"$silent\",\"deviceName\":\"$RUN silent\",\"deviceType\":\"climate\",\"status\":\"offline\"}}" ]
  [[ "$(jq -r .ts <<<"$payload")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]]
}

@test "heartbeat-timeout logs one JSON line with the job and its count, and a second run changes nothing" {
  local dev
  dev=$(new_device twice)
  psql_exec "UPDATE devices SET status = 'online', last_heartbeat_at = now() - interval '5 minutes' WHERE id = '$dev'" >/dev/null
  run_job heartbeat-timeout
  [ "$status" -eq 0 ]
  [ "$(done_line | wc -l)" -le 1 ]
  [ "$(psql_exec "SELECT status FROM devices WHERE id = '$dev'")" = offline ]
  if [ -n "$(done_line)" ]; then
    [ "$(done_line | jq -r '.job + " " + .level + " " + .module')" = 'heartbeat-timeout info station-cron' ]
    [[ "$(done_line | jq -r .changed)" =~ ^[1-9][0-9]*$ ]]
  fi
  local before
  before=$(psql_exec "SELECT count(*), max(created_at) FROM device_events WHERE device_id = '$dev'")
  run_job heartbeat-timeout
  [ "$status" -eq 0 ]
  [ "$(psql_exec "SELECT count(*), max(created_at) FROM device_events WHERE device_id = '$dev'")" = "$before" ]
  [ "$(psql_exec "SELECT status FROM devices WHERE id = '$dev'")" = offline ]
}

@test "command-expiry: queued commands past expiresAt become expired, nothing else changes" {
  local dev
  dev=$(new_device commands switch-pir)
  psql_exec "INSERT INTO device_commands (device_id, action, status, expires_at) VALUES
               ('$dev', 'stale', 'queued', now() - interval '1 second'),
               ('$dev', 'pending', 'queued', now() + interval '1 hour'),
               ('$dev', 'delivered', 'sent', now() - interval '1 hour'),
               ('$dev', 'broken', 'failed', now() - interval '1 hour')" >/dev/null
  local states="SELECT string_agg(action || '=' || status, ' ' ORDER BY action) FROM device_commands WHERE device_id = '$dev'"
  job_twice_leaves command-expiry "$states" 'broken=failed delivered=sent pending=queued stale=expired'
}

@test "ota-timeout: updates sent 10 minutes ago time out with an event; younger and finished ones stay" {
  local old young done fw
  old=$(new_device ota-old light)
  young=$(new_device ota-young light)
  done=$(new_device ota-done light)
  fw=$(psql_exec "INSERT INTO firmwares (device_type, version, file_name, size, sha256, source)
                  VALUES ('light', '0.0.$RUN', 'light@0.0.$RUN.bin', 1, repeat('a', 64), 'upload') RETURNING id")
  psql_exec "INSERT INTO ota_logs (device_id, firmware_id, to_version, status, download_url, sha256, sent_at, finished_at)
             VALUES ('$old', '$fw', '0.0.$RUN', 'sent', 'http://x/', repeat('a', 64), now() - interval '11 minutes', NULL),
                    ('$young', '$fw', '0.0.$RUN', 'sent', 'http://x/', repeat('a', 64), now() - interval '9 minutes', NULL),
                    ('$done', '$fw', '0.0.$RUN', 'success', 'http://x/', repeat('a', 64), now() - interval '1 hour', now())" \
    >/dev/null
  local states="SELECT string_agg(d.name || '=' || o.status, ' ' ORDER BY d.name) FROM ota_logs o
                JOIN devices d ON d.id = o.device_id WHERE o.firmware_id = '$fw'"
  job_twice_leaves ota-timeout "$states" "$RUN ota-done=success $RUN ota-old=timeout $RUN ota-young=sent"
  [ "$(psql_exec "SELECT action || ' ' || (data->>'error') FROM device_events WHERE device_id = '$old' AND kind = 'ota_progress'")" = \
    'timeout no answer within 600 seconds' ]
  psql_exec "DELETE FROM ota_logs WHERE firmware_id = '$fw'; DELETE FROM firmwares WHERE id = '$fw'" >/dev/null
}

@test "refresh-token-cleanup: expired tokens and dead sessions go; live sessions keep their rotated tokens" {
  local dead_family live_family fresh_family
  dead_family=$(uuid_new) live_family=$(uuid_new) fresh_family=$(uuid_new)
  psql_exec "INSERT INTO refresh_tokens (family_id, user_id, token_hash, expires_at, revoked_at, rotated_at) VALUES
    ('$(uuid_new)',  '$USER_ID', '$RUN-expired',      now() - interval '1 minute', NULL, NULL),
    ('$dead_family', '$USER_ID', '$RUN-dead-rotated', now() + interval '10 days', now() - interval '3 days', now() - interval '3 days'),
    ('$dead_family', '$USER_ID', '$RUN-dead-revoked', now() + interval '12 days', now() - interval '2 days', NULL),
    ('$live_family', '$USER_ID', '$RUN-live-rotated', now() + interval '10 days', now() - interval '3 days', now() - interval '3 days'),
    ('$live_family', '$USER_ID', '$RUN-live',         now() + interval '13 days', NULL, NULL),
    ('$fresh_family','$USER_ID', '$RUN-just-revoked', now() + interval '13 days', now() - interval '1 hour', NULL)" >/dev/null
  local left="SELECT string_agg(token_hash, ' ' ORDER BY token_hash) FROM refresh_tokens WHERE user_id = '$USER_ID'"
  job_twice_leaves refresh-token-cleanup "$left" "$RUN-just-revoked $RUN-live $RUN-live-rotated"
}

@test "device-events-cleanup: events older than events.retention_days are deleted" {
  local dev
  dev=$(new_device events)
  psql_exec "INSERT INTO device_events (device_id, kind, action, created_at) VALUES
               ('$dev', 'event_received', 'old', now() - interval '8 days'),
               ('$dev', 'event_received', 'edge', now() - interval '7 days' - interval '1 minute'),
               ('$dev', 'event_received', 'recent', now() - interval '6 days'),
               ('$dev', 'event_received', 'new', now())" >/dev/null
  local left="SELECT string_agg(action, ' ' ORDER BY created_at) FROM device_events WHERE device_id = '$dev'"
  job_twice_leaves device-events-cleanup "$left" 'recent new' # STATION_EVENTS_RETENTION_DAYS=7
}

@test "automation-runs-cleanup: runs older than automations.run_retention_days go, their steps with them" {
  local automation
  automation=$(psql_exec "INSERT INTO automations (name) VALUES ('$RUN runs') RETURNING id")
  psql_exec "INSERT INTO automation_runs (automation_id, status, trigger, started_at, finished_at) VALUES
               ('$automation', 'success', '{\"kind\":\"old\"}', now() - interval '8 days', now() - interval '8 days'),
               ('$automation', 'failed', '{\"kind\":\"edge\"}', now() - interval '7 days' - interval '1 minute', now()),
               ('$automation', 'success', '{\"kind\":\"recent\"}', now() - interval '6 days', now()),
               ('$automation', 'running', '{\"kind\":\"new\"}', now(), NULL);
             INSERT INTO automation_steps (run_id, node_id, kind, status)
               SELECT id, 't', 'manual', 'success' FROM automation_runs WHERE automation_id = '$automation'" >/dev/null
  local left="SELECT string_agg(trigger->>'kind', ' ' ORDER BY started_at) FROM automation_runs WHERE automation_id = '$automation'"
  job_twice_leaves automation-runs-cleanup "$left" 'recent new' # STATION_AUTOMATIONS_RUN_RETENTION_DAYS=7
  [ "$(psql_exec "SELECT count(*) FROM automation_steps s JOIN automation_runs r ON r.id = s.run_id
                  WHERE r.automation_id = '$automation'")" = 2 ]
  [ "$(psql_exec "SELECT count(*) FROM automation_steps s WHERE NOT EXISTS (SELECT 1 FROM automation_runs r WHERE r.id = s.run_id)")" = 0 ]
  psql_exec "DELETE FROM automations WHERE id = '$automation'" >/dev/null
}

@test "two runs of one job at once both succeed" {
  local out=$BATS_TEST_TMPDIR i pids=()
  for i in 1 2 3 4; do
    "$CRON" device-events-cleanup >"$out/run$i" 2>&1 &
    pids+=($!)
  done
  for i in 0 1 2 3; do wait "${pids[$i]}"; done # each must exit 0
  for i in 1 2 3 4; do
    grep -qE '"msg":"already running"|"changed":"[0-9]+"' "$out/run$i"
  done
}

@test "a run that finds the job's lock held says already running and exits 0" {
  local key=$((CRON_LOCK_BASE | 2)) # command-expiry
  $STATION_PSQL -X -q -At -c "BEGIN" -c "SELECT pg_advisory_xact_lock($key)" -c "SELECT pg_sleep(3)" -c "COMMIT" \
    >/dev/null 2>&1 &
  local holder=$!
  sleep 1
  run "$CRON" command-expiry
  wait "$holder"
  [ "$status" -eq 0 ]
  [ "$(jq -r 'select(.msg == "already running") | .job' <<<"$output")" = command-expiry ]
}

@test "an unreachable database fails the run with a clear message after a few attempts" {
  run env STATION_DB_CONNINFO="host=$BATS_TEST_TMPDIR port=1 dbname=none" "$CRON" command-expiry
  [ "$status" -eq 1 ]
  [ "$(grep -c 'database unreachable' <<<"$output")" -eq 4 ]
  [ "$(jq -r 'select(.level == "error") | .msg + " " + .job' <<<"$output")" = \
    'job failed: database unavailable command-expiry' ]
}
