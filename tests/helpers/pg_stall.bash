# pg_stall.bash — a PostgreSQL that stops answering, for the suites that show a daemon's
# event loop never waits for the database (`load ../helpers/pg_stall` after common).
# The door itself is tests/helpers/pg_stall.py; it lives at most 120 s.
#
#   stall_start        starts the door, forwarding to the stack's PostgreSQL; sets
#                      STALL_PID and STALL_CONNINFO (a db.conninfo through the door)
#   stall_hold         closes what it forwarded; connections are then accepted and held
#                      without a byte
#   stall_release      closes the held connections and forwards again
#   stall_count WHAT   connections accepted so far as WHAT (forwarded | held)
#   stall_stop         ends it (in teardown; fine when it is not running)

stall_start() {
  local conninfo host port dir=$BATS_TEST_TMPDIR
  conninfo=$(sed -n 's/^db\.conninfo *= *//p' "$STATION_CONFIG")
  host=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$conninfo")
  port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$conninfo")
  [ -S "$host/.s.PGSQL.$port" ] || {
    echo "no PostgreSQL socket at $host/.s.PGSQL.$port" >&2
    return 1
  }
  rm -f "$dir/stall.port" "$dir/stall.events"
  python3 "$STATION_SRC_DIR/tests/helpers/pg_stall.py" --unix "$host/.s.PGSQL.$port" \
    --port-file "$dir/stall.port" --events "$dir/stall.events" --lifetime 120 3>&- &
  STALL_PID=$!
  poll 10 test -s "$dir/stall.port"
  STALL_CONNINFO="hostaddr=127.0.0.1 port=$(cat "$dir/stall.port") dbname=station user=station sslmode=disable"
}

stall_hold() { kill -USR1 "$STALL_PID"; }
stall_release() { kill -USR2 "$STALL_PID"; }
stall_count() { grep -c -x -- "$1" "$BATS_TEST_TMPDIR/stall.events" 2>/dev/null || true; }

stall_stop() {
  [ -n "${STALL_PID:-}" ] || return 0
  kill "$STALL_PID" 2>/dev/null || true
  wait "$STALL_PID" 2>/dev/null || true
  STALL_PID=
}
