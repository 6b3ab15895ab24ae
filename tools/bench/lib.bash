# tools/bench/lib.bash — shared by the benchmark scripts: the stack's address, tokens,
# seeding, unit conversion and the memory report (RSS and PSS from /proc).

STATION_URL=${STATION_URL:-http://127.0.0.1:${STATION_HTTP_PORT:-8080}}
STATION_RUN_DIR=${STATION_RUN_DIR:-$PWD/.run}
STATION_BUILD_DIR=${STATION_BUILD_DIR:-$(pwd -P)/.build}
export STATION_CONFIG=${STATION_CONFIG:-$STATION_RUN_DIR/station.conf}
# The test suite's helpers make people and tokens the same way for the benchmarks.
. "$PWD/tests/helpers/common.bash"

bench_require_stack() {
  curl -fsS "$STATION_URL/api/health" >/dev/null ||
    { echo "the dev stack does not answer at $STATION_URL: run scripts/dev up" >&2; exit 1; }
}

bench_psql() {
  psql_exec "$1"
}

# A fresh access token of an admin (created through SQL if missing, as the tests do).
bench_admin_token() {
  login "$(create_user admin)" "$TEST_PASSWORD"
}

# Makes sure at least N devices exist (bench-NNN, climate).
bench_seed_devices() {
  local token=$1 want=$2 have i
  have=$(bench_psql "SELECT count(*) FROM devices")
  for ((i = have; i < want; i++)); do
    curl -fsS -o /dev/null -X POST "$STATION_URL/api/devices" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' \
      -d "{\"externalId\":\"bench-$i-$RANDOM\",\"name\":\"Bench $i\",\"type\":\"climate\"}"
  done
}

# Ensures at least COUNT zones exist (the bench's zones stay, like its devices).
bench_seed_zones() {
  local token=$1 want=$2 have i
  have=$(bench_psql "SELECT count(*) FROM zones")
  for ((i = have; i < want; i++)); do
    curl -fsS -o /dev/null -X POST "$STATION_URL/api/zones" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "{\"name\":\"Bench zone $i $RANDOM\"}"
  done
}

# Creates COUNT climate devices named PREFIX-0 … PREFIX-(COUNT-1) through the API and
# writes "externalId climate deviceToken" lines to FILE (devsim's --credentials format).
bench_create_devices() {
  local token=$1 prefix=$2 count=$3 file=$4 i body
  for ((i = 0; i < count; i++)); do
    body=$(curl -fsS -X POST "$STATION_URL/api/devices" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' \
      -d "{\"externalId\":\"$prefix-$i\",\"name\":\"Bench $prefix $i\",\"type\":\"climate\"}")
    echo "$prefix-$i climate $(jq -r .deviceToken <<<"$body")" >>"$file"
  done
}

# Deletes the devices whose external id starts with PREFIX- (what bench_create_devices made).
bench_delete_devices() {
  bench_psql "DELETE FROM devices WHERE external_id LIKE '$1-%'" >/dev/null
}

# wrk prints 1.23ms / 456.00us / 1.2s; this prints milliseconds.
bench_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else print v }'
}

# kB of a field of /proc/PID/smaps_rollup (Pss, Rss).
bench_smaps_kb() {
  awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0
}

# The processes of one REST module of this checkout's stack (its supervisor and request
# processes: all run .build/api-MODULE); other stacks on the machine are not counted.
bench_module_pids() {
  pgrep -x -f "$STATION_BUILD_DIR/api-$1" || true
}

# The PostgreSQL backends whose application_name matches the regex $1.
bench_backend_pids() {
  bench_psql "SELECT pid FROM pg_stat_activity WHERE application_name ~ '$1' AND pid <> pg_backend_pid()"
}

# CPU clock ticks spent by the processes PID…: user + system, and those of their children
# already reaped (a request process that exited is counted through its supervisor).
bench_cpu_ticks() {
  local pid total=0 ticks
  for pid in "$@"; do
    ticks=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + ${ticks:-0}))
  done
  echo "$total"
}

# Microseconds of CPU per request: ticks before, ticks after, requests.
bench_cpu_us() {
  awk -v d="$(($2 - $1))" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.0f", d * 1e6 / hz / n; else print "-" }'
}

# Memory of the processes whose name matches a pgrep -f pattern (e.g. 'api-*') under this
# checkout's .build/, and of the PostgreSQL backends they hold (application_name matching
# the regex $2).
bench_memory_report() {
  local pattern=$1 pid name rss pss total_rss=0 total_pss=0 count=0 backends app
  printf '  %-8s %-22s %9s %9s\n' pid process 'RSS kB' 'PSS kB'
  while read -r pid name; do
    rss=$(bench_smaps_kb "$pid" Rss)
    pss=$(bench_smaps_kb "$pid" Pss)
    printf '  %-8s %-22s %9s %9s\n' "$pid" "$name" "$rss" "$pss"
    total_rss=$((total_rss + rss)); total_pss=$((total_pss + pss)); count=$((count + 1))
  done < <(pgrep -a -f "^$STATION_BUILD_DIR/$pattern\$" | awk '{n=$2; sub(".*/", "", n); print $1, n}')
  printf '  %-31s %9s %9s  (%d processes)\n' total "$total_rss" "$total_pss" "$count"
  local backend_rss=0 backend_pss=0 nbackends=0
  while read -r pid; do
    [ -n "$pid" ] || continue
    backend_rss=$((backend_rss + $(bench_smaps_kb "$pid" Rss)))
    backend_pss=$((backend_pss + $(bench_smaps_kb "$pid" Pss)))
    nbackends=$((nbackends + 1))
  done < <(bench_backend_pids "$2")
  printf '  %-31s %9s %9s  (%d backends)\n' 'their PostgreSQL backends' "$backend_rss" "$backend_pss" "$nbackends"
}
