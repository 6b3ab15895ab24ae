#!/usr/bin/env bats
# faults.bats — the stack under failure: PostgreSQL stopped and started again, a row
# locked by someone else for longer than db.lock_timeout_ms, and a worker process killed
# in the middle of a load loop.
#
# These tests stop shared parts of the stack; every test restores them in teardown,
# even when it fails.

load ../helpers/common
load ../helpers/api

setup_file() {
  export RUN="faults$(date +%s)$RANDOM"
  ensure_owner >/dev/null
  token_for member >/dev/null
}

teardown() {
  lock_release
  bg_reap
  db_restart_if_stopped
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN-%'" >/dev/null || true
}

@test "database stopped: health and API calls answer 503 quickly; started again: the same workers answer 200" {
  local member before_master before_children
  member=$(token_for member)
  # Request processes start on demand: make sure devices has one.
  api GET /api/devices -H "Authorization: Bearer $member"
  assert_status 200
  before_master=$(worker_master devices)
  before_children=$(worker_children devices)
  [ -n "$before_children" ]

  "$STATION_SRC_DIR/scripts/dev" db stop

  # Bounded by curl itself: a hang would be a failure, not a slow pass.
  api GET /api/health --max-time 2
  assert_error 503 'database unavailable'
  [ "$(header Retry-After)" = 5 ]
  api GET /api/devices --max-time 2 -H "Authorization: Bearer $member"
  assert_error 503 'database unavailable'
  # Without credentials: 401, no database needed for that.
  api GET /api/devices --max-time 2
  assert_status 401

  "$STATION_SRC_DIR/scripts/dev" db start 3>&-  # the server must not hold bats' output open

  api GET /api/health
  assert_status 200
  api GET /api/devices -H "Authorization: Bearer $member"
  assert_status 200
  [ "$(worker_master devices)" = "$before_master" ]
  [ "$(worker_children devices)" = "$before_children" ]
}

@test "a row locked past db.lock_timeout_ms: 503 with Retry-After, and the next request after the lock succeeds" {
  local id admin
  id=$(device_id_new locked "Locked lamp" light)
  admin=$(token_for admin)
  lock_hold "SELECT 1 FROM devices WHERE id = '$id' FOR UPDATE"
  # Bounded by curl: the worker gives up after db.lock_timeout_ms (3 s), far below this.
  api_json PATCH "/api/devices/$id" '{"name":"Renamed lamp"}' --max-time 20 -H "Authorization: Bearer $admin"
  assert_error 503 'database busy, try again'
  [ "$(header Retry-After)" = 1 ]
  # The module is not stalled meanwhile: a read of that row does not wait for the lock.
  api GET "/api/devices/$id" --max-time 20 -H "Authorization: Bearer $admin"
  assert_status 200
  assert_json .name 'Locked lamp'
  lock_release
  poll 10 eval '! lock_holder_waiting'
  api_json PATCH "/api/devices/$id" '{"name":"Renamed lamp"}' --max-time 20 -H "Authorization: Bearer $admin"
  assert_status 200
  assert_json .name 'Renamed lamp'
}

@test "kill -9 of a worker process during a load loop loses at most the request in hand" {
  local victim failures total=300 i codes="$BATS_TEST_TMPDIR/codes"
  (
    for ((i = 0; i < total; i++)); do
      curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 "$STATION_URL/api/health"
    done
  ) >"$codes" &
  local loop=$!
  # Kill once the loop is well under way.
  for ((i = 0; i < 100; i++)); do
    [ "$(wc -l <"$codes")" -ge 50 ] && break
    sleep 0.05
  done
  victim=$(worker_children health | awk '{print $1}')
  [ -n "$victim" ]
  kill -9 "$victim"
  wait "$loop"

  [ "$(wc -l <"$codes")" -eq "$total" ]
  failures=$(grep -vc '^200$' "$codes" || true)
  echo "non-200 answers: $failures" >&2
  [ "$failures" -le 1 ]

  # The supervisor replaced the process (health keeps one warm in the dev stack).
  for ((i = 0; i < 50; i++)); do
    [ "$(worker_children health | wc -w)" -ge 1 ] && ! grep -qw "$victim" <<<"$(worker_children health)" && break
    sleep 0.1
  done
  [ "$(worker_children health | wc -w)" -ge 1 ]
  refute grep -qw "$victim" <<<"$(worker_children health)"
  api GET /api/health
  assert_status 200
}
