# common.bash — helpers shared by every bats suite: `load ../helpers/common`.
#
# The suites talk to the running dev stack through its public doors. `scripts/dev test` sets
# the environment below; against a stack started by `scripts/dev up`, plain `bats tests/api`
# works too (every variable falls back to this checkout's .run/ and .build/).
#
#   STATION_URL        base URL of nginx               (http://127.0.0.1:8080)
#   STATION_PSQL       psql command line on the dev DB (.run/bin/psql, the station role)
#   STATION_RUN_DIR    .run/ of the stack (secrets/, log/, sock/)
#   STATION_BUILD_DIR  .build/ (station-cron, devsim, …)
#   STATION_SRC_DIR    the checkout
#   STATION_CONFIG     .run/station.conf
#   STATION_MQTT_PORT  the broker on 127.0.0.1 (1883)
#   STATION_CONTRACT_LOG  when set, `api` appends every response to it, one JSON line
#                      {method,path,status,body}; tests/contract/ holds them all to the
#                      API document at the end of the run (docs/api.md)
#
# HTTP
#   api METHOD PATH [CURL ARG…]     request; sets $status_code, $body and $headers (header block)
#   api_json METHOD PATH JSON [ARG…]  the same with a JSON body
#   header NAME                     value of a response header of the last api call
#   json_field FILTER               jq -r FILTER on $body
#   assert_status CODE              fails, showing the body, unless the last status was CODE
#   assert_json FILTER EXPECTED     fails unless jq -r FILTER on $body prints EXPECTED
#   assert_error CODE [MESSAGE]     status CODE and the error shape of SPEC §2 (and its message)
#   call_as CALLER METHOD PATH [CURL ARG…]
#                                   `api` with the credential of CALLER: anonymous, member,
#                                   admin, owner, agent, or device (token in $DEVICE_TOKEN)
#   jqc FILTER                      jq -c FILTER on $body (compact JSON, for comparisons)
#   sha256 TEXT                     the lower-case hex SHA-256 of TEXT (how tokens are stored)
# Database
#   psql_exec SQL                   runs SQL, prints rows unaligned (-At), fails on error
#   sql_literal TEXT                TEXT as a quoted SQL string literal
# People and tokens (every test user has the password $TEST_PASSWORD)
#   ensure_owner                    the owner $OWNER_EMAIL exists (registered through the API
#                                   while registration is open); prints its email
#   bcrypt_hash PASSWORD COST       a bcrypt hash of PASSWORD, made by libxcrypt as the workers
#                                   make theirs
#   create_user ROLE [EMAIL]        a user with ROLE (owner|admin|member) inserted by SQL with the
#                                   owner's password hash; prints its email (ROLE@station.test)
#   login EMAIL PASSWORD            prints the access token
#   token_for ROLE                  an access token for that role, cached per bats file
#   agent_token                     the station-agent token (.run/secrets/agent_token)
#   uuid_new                        a random UUID
# Waiting, refuting, background processes, the database
#   now_ms                          wall clock in milliseconds
#   poll SECONDS COMMAND…           runs COMMAND every 50 ms until it succeeds or SECONDS pass
#   refute COMMAND…                 fails when COMMAND succeeds (a bare `! cmd` fails a bats test
#                                   only on the test's last line)
#   bg_track PID                    a background process of this test, killed by bg_reap
#   bg_reap                         kills and waits for every tracked process (in teardown)
#   db_restart_if_stopped           starts PostgreSQL again if a test stopped it (in teardown)
#   lock_hold SQL                   a psql session of its own (application_name bats-lock-holder)
#                                   runs SQL in a transaction, then holds its locks until
#                                   lock_release (in teardown too); lock_holder_waiting: it holds
#   worker_master MODULE, worker_children MODULE
#                                   the supervisor of api-MODULE (spawn-fcgi execs it), and its
#                                   request processes (pids, sorted, one line)
#   stack_daemon_stop NAME, stack_daemon_start NAME PATTERN, stack_worker_start MODULE
#                                   stop and start the stack's daemons and workers (below)
#
# api and the helpers built on it set globals: call token_for and login inside $(…) (as in
# -H "Authorization: Bearer $(token_for admin)") so that they do not overwrite $body.

_station_src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${STATION_SRC_DIR:=$_station_src}"
: "${STATION_URL:=http://127.0.0.1:8080}"
: "${STATION_RUN_DIR:=$STATION_SRC_DIR/.run}"
: "${STATION_BUILD_DIR:=$STATION_SRC_DIR/.build}"
: "${STATION_CONFIG:=$STATION_RUN_DIR/station.conf}"
: "${STATION_PSQL:=$STATION_RUN_DIR/bin/psql}"
: "${STATION_MQTT_PORT:=1883}"
export STATION_SRC_DIR STATION_URL STATION_RUN_DIR STATION_BUILD_DIR STATION_CONFIG STATION_PSQL STATION_MQTT_PORT

OWNER_EMAIL=owner@station.test
TEST_PASSWORD='Station-test-passw0rd'

_station_tmp() { echo "${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}"; }

api() {
	local method=$1 path=$2 tmp
	shift 2
	tmp=$(mktemp -d "$(_station_tmp)/api.XXXXXX")
	local request=(-X "$method")
	[ "$method" != HEAD ] || request=(--head)
	status_code=$(curl -sS "${request[@]}" -D "$tmp/headers" -o "$tmp/body" -w '%{http_code}' \
		--max-time 30 "$@" "$STATION_URL$path") || {
		echo "api $method $path: curl failed" >&2
		rm -rf "$tmp"
		return 1
	}
	body=$(cat "$tmp/body" 2>/dev/null || true) # no file: curl got no body (a 304)
	headers=$(tr -d '\r' <"$tmp/headers")
	[ -z "${STATION_CONTRACT_LOG:-}" ] || _station_contract_record "$method" "$path" "$tmp/body"
	rm -rf "$tmp"
}

# _station_contract_record METHOD PATH BODY_FILE: one line of $STATION_CONTRACT_LOG for the
# response just received (the path without its query). Recording never fails a test.
_station_contract_record() {
	[ -e "$3" ] || : >"$3"
	jq -cn --arg method "$1" --arg path "${2%%\?*}" --argjson status "$status_code" --rawfile body "$3" \
		'{method: $method, path: $path, status: $status, body: $body}' >>"$STATION_CONTRACT_LOG" 2>/dev/null || true
}

api_json() {
	local method=$1 path=$2 json=$3
	shift 3
	api "$method" "$path" -H 'Content-Type: application/json' --data-binary "$json" "$@"
}

header() {
	printf '%s\n' "$headers" | awk -v name="$1" 'BEGIN { name = tolower(name) }
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == name) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v); last = v } }
		END { if (last != "") print last }'
}

json_field() { jq -r "$1" <<<"$body"; }

assert_status() {
	if [ "$status_code" != "$1" ]; then
		echo "expected HTTP $1, got $status_code" >&2
		echo "body: $body" >&2
		return 1
	fi
}

assert_json() {
	local actual
	actual=$(jq -r "$1" <<<"$body" 2>&1) || {
		echo "assert_json $1: body is not JSON: $body" >&2
		return 1
	}
	if [ "$actual" != "$2" ]; then
		echo "assert_json $1: expected '$2', got '$actual'" >&2
		echo "body: $body" >&2
		return 1
	fi
}

assert_error() {
	assert_status "$1" || return 1
	assert_json '.statusCode' "$1" || return 1
	assert_json '.error | type' string || return 1
	[ $# -lt 2 ] || assert_json '.message' "$2"
}

psql_exec() {
	# shellcheck disable=SC2086 # STATION_PSQL is a command line
	$STATION_PSQL -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

uuid_new() { cat /proc/sys/kernel/random/uuid; }

login() {
	api_json POST /api/auth/login "$(jq -cn --arg e "$1" --arg p "$2" '{email: $e, password: $p}')" || return 1
	if [ "$status_code" != 200 ]; then
		echo "login $1: HTTP $status_code: $body" >&2
		return 1
	fi
	json_field .accessToken
}

ensure_owner() {
	local open
	if [ -n "$(psql_exec "SELECT 1 FROM users WHERE lower(email) = lower($(sql_literal "$OWNER_EMAIL"))")" ]; then
		# Failed sign-ins of earlier suites (all from this machine) must not lock the tests out.
		psql_exec "DELETE FROM sign_in_failures" >/dev/null
		echo "$OWNER_EMAIL"
		return
	fi
	api GET /api/auth/registration-status || return 1
	open=$(json_field .isRegistrationOpen)
	if [ "$open" = true ]; then
		api_json POST /api/auth/register "$(jq -cn --arg e "$OWNER_EMAIL" --arg p "$TEST_PASSWORD" \
			'{email: $e, password: $p, name: "Test Owner"}')" || return 1
		if [ "$status_code" != 201 ]; then
			echo "ensure_owner: register: HTTP $status_code: $body" >&2
			return 1
		fi
	else
		# Someone else registered first: add the test owner with a hash of the test password.
		local hash
		hash=$(bcrypt_hash "$TEST_PASSWORD" 12) || return 1
		_station_upsert_user owner "$OWNER_EMAIL" "$(sql_literal "$hash")" || return 1
	fi
	echo "$OWNER_EMAIL"
}

bcrypt_hash() {
	python3 - "$1" "$2" <<-'PY'
		import ctypes, sys
		c = ctypes.CDLL("libcrypt.so.1")
		c.crypt_gensalt.restype = ctypes.c_char_p
		c.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
		c.crypt.restype = ctypes.c_char_p
		c.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
		print(c.crypt(sys.argv[1].encode(), c.crypt_gensalt(b"$2b$", int(sys.argv[2]), None, 0)).decode())
	PY
}

# _station_upsert_user ROLE EMAIL HASH_SQL: the user and its station membership.
_station_upsert_user() {
	local email
	email=$(sql_literal "$2")
	psql_exec "
		INSERT INTO users (email, name, role, source, password_hash)
		VALUES ($email, 'Test ' || initcap($(sql_literal "$1")), $(sql_literal "$1"), 'local', ($3))
		ON CONFLICT ((lower(email))) DO UPDATE
		SET role = EXCLUDED.role, password_hash = EXCLUDED.password_hash, updated_at = now();
		INSERT INTO station_members (station_id, user_id, role)
		SELECT s.id, u.id, u.role FROM station s, users u WHERE lower(u.email) = lower($email)
		ON CONFLICT (station_id, user_id) DO UPDATE SET role = EXCLUDED.role;" >/dev/null
}

create_user() {
	local role=$1 email=${2:-$1@station.test}
	ensure_owner >/dev/null || return 1
	_station_upsert_user "$role" "$email" \
		"SELECT password_hash FROM users WHERE lower(email) = lower($(sql_literal "$OWNER_EMAIL"))" || return 1
	echo "$email"
}

token_for() {
	local role=$1 email cache
	cache=${BATS_FILE_TMPDIR:-$(_station_tmp)}/token-$role
	if [ ! -s "$cache" ]; then
		if [ "$role" = owner ]; then email=$(ensure_owner); else email=$(create_user "$role"); fi || return 1
		login "$email" "$TEST_PASSWORD" >"$cache" || { rm -f "$cache"; return 1; }
	fi
	cat "$cache"
}

agent_token() { head -n 1 "$STATION_RUN_DIR/secrets/agent_token"; }

now_ms() { date +%s%3N; }

poll() {
	local deadline=$(($(now_ms) + $(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }')))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

refute() {
	if "$@"; then
		echo "expected to fail: $*" >&2
		return 1
	fi
}

bg_track() { BACKGROUND="${BACKGROUND:-} $1"; }

bg_reap() {
	local pid
	for pid in ${BACKGROUND:-}; do
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	BACKGROUND=
}

# stop_gracefully PID: SIGTERM, up to 10 s to exit, then SIGKILL; reaps it. No PID: nothing.
stop_gracefully() {
	[ -n "${1:-}" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	poll 10 eval "! kill -0 $1 2>/dev/null" || kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# proc_starttime PID: the start time of a live process (field 22 of /proc/PID/stat), or fails.
proc_starttime() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	[ "$1" != Z ] || return 1
	echo "${20}"
}

# stack_daemon_running NAME: the dev stack's NAME (station-wsd, …) is up, as scripts/dev knows it.
stack_daemon_running() {
	local pid
	pid=$(cat "$STATION_RUN_DIR/pid/$1.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && proc_starttime "$pid" >/dev/null
}

# stack_daemon_stop NAME: stops the dev stack's NAME and waits until it is gone.
stack_daemon_stop() {
	local pid
	stack_daemon_running "$1" || return 0
	pid=$(cat "$STATION_RUN_DIR/pid/$1.pid")
	kill -TERM "$pid"
	poll 10 eval "! proc_starttime $pid >/dev/null"
}

# stack_daemon_start NAME PATTERN: starts the dev stack's NAME again as scripts/dev does (its
# log, its pid files, the sanitizer options of the stack) and waits for PATTERN in its log.
stack_daemon_start() {
	local log="$STATION_RUN_DIR/log/$1.log" size pid
	size=$(stat -c %s "$log" 2>/dev/null || echo 0)
	setsid env ASAN_OPTIONS=abort_on_error=0:halt_on_error=1:detect_leaks=0:detect_stack_use_after_return=1 \
		"$STATION_BUILD_DIR/$1" </dev/null >>"$log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	pid=$!
	echo "$pid" >"$STATION_RUN_DIR/pid/$1.pid"
	proc_starttime "$pid" >"$STATION_RUN_DIR/pid/$1.start" || true
	poll 30 eval "tail -c +$((size + 1)) $log | grep -q -- '$2'"
}

# stack_worker_start MODULE: starts the dev stack's api-MODULE again as scripts/dev does
# (spawn-fcgi on its socket, cold, its log and pid files) and waits until it serves.
stack_worker_start() {
	local name=api-$1 log sock size pid
	log="$STATION_RUN_DIR/log/$name.log"
	sock="$STATION_RUN_DIR/sock/$1.sock"
	size=$(stat -c %s "$log" 2>/dev/null || echo 0)
	rm -f "$sock"
	setsid env STATION_HTTP_MIN_WORKERS=0 \
		ASAN_OPTIONS=abort_on_error=0:halt_on_error=1:detect_leaks=0:detect_stack_use_after_return=1 \
		spawn-fcgi -n -s "$sock" -M 0666 -- "$STATION_BUILD_DIR/$name" \
		</dev/null >>"$log" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	pid=$!
	echo "$pid" >"$STATION_RUN_DIR/pid/$name.pid"
	proc_starttime "$pid" >"$STATION_RUN_DIR/pid/$name.start" || true
	poll 30 eval "tail -c +$((size + 1)) $log | grep -q -- 'serving on demand'"
}

# The server must not inherit bats' descriptor 3, or bats would wait for it.
db_restart_if_stopped() { "$STATION_SRC_DIR/scripts/dev" db start >/dev/null 2>&1 3>&- || true; }

lock_hold() {
	# shellcheck disable=SC2086 # STATION_PSQL is a command line
	PGAPPNAME=bats-lock-holder $STATION_PSQL -X -q -v ON_ERROR_STOP=1 \
		-c "BEGIN; $1; SELECT pg_sleep(120); COMMIT" >/dev/null 2>&1 3>&- &
	bg_track $!
	poll 10 lock_holder_waiting
}

lock_holder_waiting() {
	[ "$(psql_exec "SELECT count(*) FROM pg_stat_activity
	                WHERE application_name = 'bats-lock-holder' AND wait_event = 'PgSleep'")" = 1 ]
}

lock_release() {
	psql_exec "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	           WHERE application_name = 'bats-lock-holder'" >/dev/null 2>&1 || true
}

worker_master() { cat "$STATION_RUN_DIR/pid/api-$1.pid"; }
worker_children() { pgrep -P "$(worker_master "$1")" | sort | tr '\n' ' '; }

call_as() {
	local caller=$1
	shift
	case "$caller" in
	owner | admin | member) api "$@" -H "Authorization: Bearer $(token_for "$caller")" ;;
	agent) api "$@" -H "Authorization: Bearer $(agent_token)" ;;
	device) api "$@" -H "X-Device-Token: $DEVICE_TOKEN" ;;
	*) api "$@" ;;
	esac
}

jqc() { jq -c "$1" <<<"$body"; }

sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
