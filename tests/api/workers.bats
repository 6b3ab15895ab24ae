#!/usr/bin/env bats
# workers.bats — request processes on demand (cgi/supervisor.c, docs/operations.md):
# a private copy of api-health on its own socket, beside the dev stack, with short idle
# timeouts, reached over FastCGI directly (tests/helpers/fcgi_get.py). The dev stack's
# own workers are left alone.

load ../helpers/common

FCGI_GET="$BATS_TEST_DIRNAME/../helpers/fcgi_get.py"

setup() {
  PRIV_SOCK="$BATS_TEST_TMPDIR/health.sock"
  PRIV_LOG="$STATION_RUN_DIR/log/api-health-test.log"
  PRIV_LOG_FROM=$(stat -c %s "$PRIV_LOG" 2>/dev/null || echo 0)
}

teardown() {
  private_stop
}

# private_start [VAR=VALUE…]: the supervisor of a private api-health with the stack's
# configuration plus these overrides; sets PRIV_PID (the supervisor, spawn-fcgi execs it).
private_start() {
  env STATION_CONFIG="$STATION_CONFIG" "$@" \
    spawn-fcgi -n -s "$PRIV_SOCK" -M 0600 -- "$STATION_BUILD_DIR/api-health" \
    </dev/null >>"$PRIV_LOG" 2>&1 3>&- &
  PRIV_PID=$!
  poll 10 private_log_has '"msg":"serving on demand'
}

private_stop() {
  [ -n "${PRIV_PID:-}" ] || return 0
  stop_gracefully "$PRIV_PID"
  PRIV_PID=
  refute private_log_has 'ERROR: AddressSanitizer\|runtime error:'
}

private_log_has() { tail -c +"$((PRIV_LOG_FROM + 1))" "$PRIV_LOG" | grep -q -- "$1"; }
children() { pgrep -P "$PRIV_PID" | sort | tr '\n' ' '; }
child_count() { pgrep -P "$PRIV_PID" | wc -l; }
child_count_is() { [ "$(child_count)" -eq "$1" ]; }
# Sockets a process holds: the listening one, plus PostgreSQL's while it is connected.
socket_count() { find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l; }
socket_count_is() { [ "$(socket_count "$1")" -eq "$2" ]; }
fcgi() { python3 "$FCGI_GET" "$PRIV_SOCK" /api/health "${1:-1}"; }

@test "a cold module has no request process; a request starts one, which leaves when idle" {
  private_start STATION_HTTP_MIN_WORKERS=0 STATION_HTTP_IDLE_EXIT_S=1 STATION_HTTP_WORKERS=2
  child_count_is 0
  [ "$(fcgi)" = 200 ]
  child_count_is 1
  poll 15 child_count_is 0
  # The supervisor still holds the socket: the next request starts a process again.
  [ "$(fcgi)" = 200 ]
  child_count_is 1
}

@test "never more processes than http.workers, whatever arrives at once" {
  private_start STATION_HTTP_MIN_WORKERS=0 STATION_HTTP_IDLE_EXIT_S=30 STATION_HTTP_WORKERS=2
  run fcgi 20
  assert_status_lines 200 20
  [ "$(child_count)" -ge 1 ]
  [ "$(child_count)" -le 2 ]
}

@test "http.min_workers processes are started at once and stay when idle" {
  private_start STATION_HTTP_MIN_WORKERS=1 STATION_HTTP_IDLE_EXIT_S=1 STATION_HTTP_WORKERS=3
  poll 10 child_count_is 1
  local warm
  warm=$(children)
  [ "$(fcgi)" = 200 ]
  sleep 3 # three idle timeouts: a process that should leave would have
  [ "$(children)" = "$warm" ]
}

@test "an idle process closes its database connection and opens one for the next request" {
  private_start STATION_HTTP_MIN_WORKERS=1 STATION_HTTP_IDLE_EXIT_S=60 STATION_DB_IDLE_DISCONNECT_S=1 \
    STATION_LOG_LEVEL=debug
  poll 10 child_count_is 1
  local child
  child=$(pgrep -P "$PRIV_PID")
  [ "$(fcgi)" = 200 ]
  # Idle again: only the listening socket is left, PostgreSQL's is closed.
  poll 10 socket_count_is "$child" 1
  private_log_has '"msg":"idle: database connection closed"'
  # health pings the database: a 200 is a new connection, made by the same process.
  [ "$(fcgi)" = 200 ]
  [ "$(pgrep -P "$PRIV_PID")" = "$child" ]
}

@test "a killed process costs no more than its request: the next one is served" {
  private_start STATION_HTTP_MIN_WORKERS=1 STATION_HTTP_IDLE_EXIT_S=60
  poll 10 child_count_is 1
  local victim
  victim=$(children)
  kill -9 $victim
  poll 10 eval "child_count_is 1 && ! grep -qw $victim <<<\"\$(children)\""
  [ "$(fcgi)" = 200 ]
  poll 10 private_log_has "killed by signal 9; replacing it"
}

# assert_status_lines STATUS N: $output is N lines, each STATUS.
assert_status_lines() {
  [ "$(grep -c "^$1\$" <<<"$output")" -eq "$2" ] || {
    echo "expected $2 answers of $1, got: $output" >&2
    return 1
  }
}
