#!/usr/bin/env bats
# wsd.bats — station-wsd, the local push of SPEC §6, with real WebSocket clients
# (tests/ws/wsclient.py, Debian's python3-websockets).
#
# Most tests go through nginx's /ws to the stack's own wsd: authentication and its close
# codes, notifications reaching clients verbatim (pg_notify, the devices API, MQTT state),
# 200 clients at once, a client that stops reading, ping/pong, message size, membership,
# and a PostgreSQL restart. Tests that need another configuration (a one-second ping
# interval, two clients at most, no database, no secret, a database that stops answering)
# or that stop wsd run a private
# station-wsd on a free loopback port, logging to .run/log/station-wsd-test.log, and stop
# it in teardown.
#
# Every wait is bounded; no test asserts a duration beyond "within a few seconds". The
# PostgreSQL test stops the shared database: teardown starts it again even on failure.

load ../helpers/common
load ../helpers/pg_stall
load ../helpers/ws

setup_file() {
  ws_setup
  local hostport=${STATION_URL#http://}
  export NGINX_HOST=${hostport%%:*} NGINX_PORT=${hostport##*:}
  export RUN="ws$(date +%s)$RANDOM"
  ensure_owner >/dev/null
  token_for member >/dev/null
  token_for admin >/dev/null
  MEMBER_ID=$(psql_exec "SELECT id FROM users WHERE lower(email) = 'member@station.test'")
  MEMBER_SID=$(token_sid "$(token_for member)")
  export MEMBER_ID MEMBER_SID
  [ -n "$MEMBER_ID" ]
}

teardown() {
  bg_reap
  private_stop
  stall_stop
  db_restart_if_stopped
  stack_daemon_running station-wsd || stack_daemon_start station-wsd 'listening on station_events'
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null 2>&1 || true
  psql_exec "DELETE FROM users WHERE email LIKE '$RUN-%'" >/dev/null 2>&1 || true
}

# ---- helpers ------------------------------------------------------------------------

# ws_run ARG…: one foreground client (wsclient.py listen against nginx's /ws); its JSON
# lines in $output.
ws_run() { run "$PY" "$WSC" listen --url "$WS_URL" "$@"; }

# last_event: the final line of $output (how the client ended).
last_event() { printf '%s\n' "$output" | tail -n 1; }

# notify JSON: pg_notify on station_events, as every producer does.
notify() { psql_exec "SELECT pg_notify('station_events', $(sql_literal "$1"))" >/dev/null; }

# jwt SUB ROLE EXP_IN: a token signed with the stack's secret, expiring EXP_IN s from now,
# of the member's live session ($MEMBER_SID).
jwt() {
  "$PY" "$WSC" jwt --secret-file "$STATION_RUN_DIR/secrets/jwt_secret" --sub "$1" --role "$2" --exp-in "$3" \
    --sid "${MEMBER_SID:-}"
}
# token_sid TOKEN: the session (claim sid) of an access token.
token_sid() {
  "$PY" -c 'import base64, json, sys; p = sys.argv[1].split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["sid"])' "$1"
}

wsd_pid() { cat "$STATION_RUN_DIR/pid/station-wsd.pid" 2>/dev/null; }
wsd_log() { echo "$STATION_RUN_DIR/log/station-wsd.log"; }

# new_member: a member of the station just for this test; sets USER_EMAIL USER_ID USER_TOKEN.
new_member() {
  USER_EMAIL=$(create_user member "$RUN-$1@station.test")
  USER_ID=$(psql_exec "SELECT id FROM users WHERE lower(email) = lower($(sql_literal "$USER_EMAIL"))")
  USER_TOKEN=$(login "$USER_EMAIL" "$TEST_PASSWORD")
  [ -n "$USER_ID" ]
  [ -n "$USER_TOKEN" ]
}

# ---- a private wsd ------------------------------------------------------------------

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
private_log() { echo "$STATION_RUN_DIR/log/station-wsd-test.log"; }

# private_start [VAR=VALUE…]: station-wsd on a free port with the stack's configuration
# plus these overrides; sets PRIV_PID, PRIV_URL; waits until it listens.
private_start() {
  PRIV_PORT=$(free_port)
  PRIV_URL=ws://127.0.0.1:$PRIV_PORT/ws
  PRIV_LOG_FROM=$(stat -c %s "$(private_log)" 2>/dev/null || echo 0)
  env STATION_CONFIG="$STATION_CONFIG" STATION_WS_PORT="$PRIV_PORT" STATION_LOG_LEVEL=debug "$@" \
    "$STATION_BUILD_DIR/station-wsd" </dev/null >>"$(private_log)" 2>&1 3>&- &
  PRIV_PID=$!
  poll 10 private_log_has '"msg":"listening on'
}

private_log_has() { tail -c +"$((PRIV_LOG_FROM + 1))" "$(private_log)" | grep -q -- "$1"; }
# private_log_count PATTERN: lines of the private wsd's log (this test's part) matching it.
private_log_count() { tail -c +"$((PRIV_LOG_FROM + 1))" "$(private_log)" | grep -c -- "$1" || true; }
# private_log_count_ge N PATTERN: at least N such lines.
private_log_count_ge() { [ "$(private_log_count "$2")" -ge "$1" ]; }

private_stop() {
  [ -n "${PRIV_PID:-}" ] || return 0
  stop_gracefully "$PRIV_PID"
  PRIV_PID=
  # The sanitizer build reports into the log: none may appear.
  ! tail -c +"$((PRIV_LOG_FROM + 1))" "$(private_log)" | grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' >&2
}

# priv_run ARG…: a foreground client against the private wsd.
priv_run() { run "$PY" "$WSC" listen --url "$PRIV_URL" "$@"; }
# priv_bg NAME ARG…: ws_bg against the private wsd.
priv_bg() { WS_URL=$PRIV_URL ws_bg "$@"; }

# ---- authentication ------------------------------------------------------------------

@test "a token in the URL never reaches nginx's access log" {
  local token log=$STATION_RUN_DIR/log/smart-station-access.log
  token=$(token_for member)
  ws_run --token "$token" --timeout 1
  [ "$(last_event | jq -r .event)" = timeout ] # it was admitted, then closed by the client
  poll 10 grep -q 'GET /ws?token=\[redacted\] HTTP/1.1' "$log"
  run grep -cF "$token" "$log"
  [ "$output" = 0 ]
}

@test "no token: the upgrade is accepted, then closed with 1008" {
  ws_run --timeout 5
  [ "$(last_event | jq -r '.event, .code, .reason' | tr '\n' ' ')" = "close 1008 access token required " ]
}

@test "bad tokens are closed with 1008: garbage, another secret, alg none, an unknown role" {
  local other_secret="$BATS_TEST_TMPDIR/other_secret" header claims
  ws_run --token not-a-token --timeout 5
  [ "$(last_event | jq -r '.code, .reason' | tr '\n' ' ')" = "1008 invalid access token " ]

  head -c 48 /dev/urandom | base64 | tr -d '\n=+/' >"$other_secret"
  ws_run --token "$("$PY" "$WSC" jwt --secret-file "$other_secret" --sub "$MEMBER_ID" --role member --exp-in 600)" --timeout 5
  [ "$(last_event | jq -r .code)" = 1008 ]

  # alg none, no signature
  header=$(printf '{"alg":"none","typ":"JWT"}' | base64 | tr -d '=\n' | tr '/+' '_-')
  claims=$(printf '{"sub":"%s","userId":"%s","role":"owner","iat":1,"exp":%d}' "$MEMBER_ID" "$MEMBER_ID" \
    $(($(date +%s) + 600)) | base64 | tr -d '=\n' | tr '/+' '_-')
  ws_run --token "$header.$claims." --timeout 5
  [ "$(last_event | jq -r .code)" = 1008 ]

  ws_run --token "$(jwt "$MEMBER_ID" superuser 600)" --timeout 5
  [ "$(last_event | jq -r .code)" = 1008 ]
}

@test "the access_token cookie authenticates; ?token= wins over it" {
  ws_run --cookie "$(token_for member)" --send '{"type":"ping"}' --until-type pong --timeout 5
  [ "$(last_event | jq -r .event)" = done ]
  ws_run --cookie not-a-token --token "$(token_for member)" --send '{"type":"ping"}' --until-type pong --timeout 5
  [ "$(last_event | jq -r .event)" = done ]
  ws_run --cookie "$(token_for member)" --token not-a-token --timeout 5
  [ "$(last_event | jq -r .code)" = 1008 ]
}

@test "a cookie token from a page of another origin is closed with 1008; the station's own origin is admitted" {
  local own="http://$NGINX_HOST:$NGINX_PORT"
  ws_run --cookie "$(token_for member)" --origin http://evil.example --timeout 5
  [ "$(last_event | jq -r '.code, .reason' | tr '\n' ' ')" = "1008 origin not allowed " ]
  ws_run --cookie "$(token_for member)" --origin "$own" --send '{"type":"ping"}' --until-type pong --timeout 5
  [ "$(last_event | jq -r .event)" = done ]
  # A token in the URL is no ambient credential: a page that has it may connect from anywhere.
  ws_run --token "$(token_for member)" --origin http://evil.example --send '{"type":"ping"}' --until-type pong --timeout 5
  [ "$(last_event | jq -r .event)" = done ]
}

@test "an expired token is closed with 4001; one expiring in 2 s is admitted, then closed with 4001" {
  ws_run --token "$(jwt "$MEMBER_ID" member -5)" --timeout 5
  [ "$(last_event | jq -r '.code, .reason' | tr '\n' ' ')" = "4001 token expired " ]

  ws_run --token "$(jwt "$MEMBER_ID" member 2)" --send '{"type":"ping"}' --timeout 10
  printf '%s\n' "$output" | grep -qxF '{"type":"pong"}' # admitted: it was answered
  [ "$(last_event | jq -r '.event, .code, .reason' | tr '\n' ' ')" = "close 4001 token expired " ]
}

# ---- fan-out -----------------------------------------------------------------------------

@test "a pg_notify on station_events reaches a connected client within a few seconds, byte for byte" {
  local payload
  payload="{\"type\":\"device.stateChanged\",\"data\":{\"deviceId\":\"$(uuid_new)\",\"state\":{\"temperature\":21.5,\"note\":\"caf\u00e9 \\\"q\\\"\"},\"timestamp\":\"2026-11-28T05:13:23.123Z\"},\"ts\":\"2026-11-28T05:13:23.124Z\"}"
  ws_bg a --token "$(token_for member)" --timeout 20
  notify "$payload"
  poll 3 grep -qxF -- "$payload" "$BATS_TEST_TMPDIR/a.out"
}

@test "the devices API pushes device.created, device.updated and device.deleted {deviceId,deviceName}" {
  local id admin
  admin=$(token_for admin)
  ws_bg a --token "$(token_for member)" --timeout 30

  api_json POST /api/devices "{\"externalId\":\"$RUN-api\",\"name\":\"WS lamp\",\"type\":\"light\"}" \
    -H "Authorization: Bearer $admin"
  assert_status 201
  id=$(json_field .device.id)
  poll 3 got a ".type == \"device.created\" and .data.id == \"$id\" and .data.name == \"WS lamp\" and (.ts | type) == \"string\""

  api_json PATCH "/api/devices/$id" '{"name":"WS lamp 2"}' -H "Authorization: Bearer $admin"
  assert_status 200
  poll 3 got a ".type == \"device.updated\" and .data.id == \"$id\" and .data.name == \"WS lamp 2\""

  api DELETE "/api/devices/$id" -H "Authorization: Bearer $admin"
  assert_status 204
  poll 3 got a ".type == \"device.deleted\" and .data == {\"deviceId\": \"$id\", \"deviceName\": \"WS lamp 2\"}"
}

@test "a device state published over MQTT reaches the client as device.stateChanged" {
  [ -x "$STATION_BUILD_DIR/station-mqttd" ] || skip "station-mqttd is not built"
  [ -s "$STATION_RUN_DIR/pid/station-mqttd.pid" ] && kill -0 "$(cat "$STATION_RUN_DIR/pid/station-mqttd.pid")" 2>/dev/null ||
    skip "station-mqttd is not running"
  command -v mosquitto_pub >/dev/null || skip "mosquitto_pub is not installed"
  local id ext token station
  api_json POST /api/devices "{\"externalId\":\"$RUN-mqtt\",\"name\":\"WS climate\",\"type\":\"climate\"}" \
    -H "Authorization: Bearer $(token_for admin)"
  assert_status 201
  id=$(json_field .device.id) ext=$RUN-mqtt token=$(json_field .deviceToken)
  station=$(psql_exec "SELECT id FROM station")
  ws_bg a --token "$(token_for member)" --timeout 30

  mosquitto_pub -h 127.0.0.1 -p "$STATION_MQTT_PORT" -u "$ext" -P "$token" -i "$ext" -q 1 \
    -t "station/$station/device/$ext/state" -m '{"state":{"temperature":23.5,"humidity":60}}'
  poll 5 got a ".type == \"device.stateChanged\" and .data.deviceId == \"$id\" and .data.state.temperature == 23.5"
}

@test "200 clients connected at once all receive the same message" {
  local out=$BATS_TEST_TMPDIR/fanout
  "$PY" "$WSC" fanout --url "$WS_URL" --token "$(token_for member)" --clients 200 --type "test.fanout" \
    --ready "$out.ready" --timeout 20 >"$out" 3>&- &
  bg_track $!
  poll 30 eval "[ -e '$out.ready' ] || [ -s '$out' ]"
  [ -e "$out.ready" ] || { cat "$out" >&2; false; }
  notify "{\"type\":\"test.fanout\",\"data\":{\"run\":\"$RUN\"},\"ts\":\"2026-11-28T05:13:23.124Z\"}"
  poll 25 test -s "$out"
  cat "$out" >&2
  [ "$(jq -c . "$out")" = '{"connected":200,"received":200,"identical":true}' ]
}

@test "a client that stops reading is dropped (1013 too slow); a normal client receives every message" {
  local n=6000 dir=$BATS_TEST_TMPDIR log_from
  log_from=$(stat -c %s "$(wsd_log)")
  # A raw client that completes the upgrade, then reads nothing until told to.
  "$PY" "$WSC" raw --host "$NGINX_HOST" --port "$NGINX_PORT" --token "$(token_for member)" --ready "$dir/raw.ready" \
    --stall-until "$dir/drain" --timeout 120 --drain-timeout 20 --rcvbuf 65536 >"$dir/raw.out" 3>&- &
  local raw=$!
  bg_track $raw
  ws_bg normal --token "$(token_for member)" --count-type test.burst --count "$n" --timeout 90
  poll 10 test -e "$dir/raw.ready"

  # ~42 MB in 6000 notifications of 7 kB: far more than the sockets between wsd, nginx and
  # a client that does not read can hold (~8 MB measured), plus its queue (ws.queue_limit).
  psql_exec "SELECT pg_notify('station_events', json_build_object('type', 'test.burst',
      'data', json_build_object('seq', i, 'pad', repeat('x', 7000)), 'ts', now())::text)
    FROM generate_series(1, $n) AS i" >/dev/null

  poll 60 grep -q '"event"' "$dir/normal.out"
  cat "$dir/normal.out" >&2
  [ "$(jq -c 'select(.event)' "$dir/normal.out")" = "{\"event\":\"counted\",\"n\":$n,\"inOrder\":true}" ]

  # Reading now, the stalled client finds its connection closed (after what was in flight).
  touch "$dir/drain"
  poll 30 test -s "$dir/raw.out"
  cat "$dir/raw.out" >&2
  [ "$(jq -r .event "$dir/raw.out")" = eof ]
  tail -c +"$((log_from + 1))" "$(wsd_log)" | grep -q '"level":"warn","msg":"client dropped: send queue full (too slow)"'
}

# ---- messages from the client --------------------------------------------------------------

@test "ping is answered with pong; other messages are ignored; one over 4 KiB closes with 1009" {
  # The 3 000-byte ping arrives in several pieces of wsd's receive buffer and is one message.
  ws_run --token "$(token_for member)" --send 'not json' --send '{"type":"hello"}' --send '[1,2]' \
    --send '{"type":"ping"}' --send "{\"type\":\"ping\",\"pad\":\"$(head -c 3000 /dev/zero | tr '\0' x)\"}" \
    --timeout 3
  # One pong per ping (other clients of the shared stack may cause pushes too).
  [ "$(printf '%s\n' "$output" | grep -cxF '{"type":"pong"}')" -eq 2 ]
  [ "$(last_event | jq -r .event)" = timeout ] # still connected

  ws_run --token "$(token_for member)" --send "{\"type\":\"ping\",\"pad\":\"$(head -c 5000 /dev/zero | tr '\0' x)\"}" --timeout 5
  [ "$(last_event | jq -r '.code, .reason' | tr '\n' ' ')" = "1009 message too big " ]
}

# ---- membership ---------------------------------------------------------------------------

@test "user.removed closes that user's connections with 1008; others get the message and stay" {
  new_member removed
  ws_bg gone --token "$USER_TOKEN" --timeout 20
  ws_bg other --token "$(token_for member)" --timeout 20
  psql_exec "DELETE FROM station_members WHERE user_id = '$USER_ID'" >/dev/null
  notify "{\"type\":\"user.removed\",\"data\":{\"userId\":\"$USER_ID\"},\"ts\":\"2026-11-28T05:13:23.124Z\"}"
  poll 5 got gone '.event == "close"'
  [ "$(jq -c 'select(.event) | [.code, .reason]' "$BATS_TEST_TMPDIR/gone.out")" = '[1008,"removed from the station"]' ]
  poll 3 got other ".type == \"user.removed\" and .data.userId == \"$USER_ID\""
  refute got other '.event == "close"'

  # Not a member any more: refused at the door, though the token is still valid.
  ws_run --token "$USER_TOKEN" --timeout 5
  [ "$(last_event | jq -r '.code, .reason' | tr '\n' ' ')" = "1008 not a member of this station " ]
}

@test "a deleted user's token is refused with 1008" {
  new_member deleted
  psql_exec "DELETE FROM users WHERE id = '$USER_ID'" >/dev/null
  ws_run --token "$USER_TOKEN" --timeout 5
  [ "$(last_event | jq -r '.code, .reason' | tr '\n' ' ')" = "1008 not a member of this station " ]
}

# ---- wsd down ---------------------------------------------------------------------------------

@test "wsd down: a token in /ws?token= reaches no log file, the browser gets the JSON 503" {
  local token
  token=$(token_for member)
  stack_daemon_stop station-wsd
  run curl -s -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
    -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "$STATION_URL/ws?token=$token"
  [ "$output" = 503 ]
  [ "$(jq -r .statusCode "$BATS_TEST_TMPDIR/body")" = 503 ]
  refute grep -rqF -- "$token" "$STATION_RUN_DIR/log"
  # The access log still says what happened, without the token.
  grep -q 'GET /ws?token=\[redacted\]' "$STATION_RUN_DIR/log/smart-station-access.log"
}

# ---- database restart -------------------------------------------------------------------------

@test "PostgreSQL restarted: clients stay connected and pushes resume without restarting wsd" {
  local pid i delivered=
  pid=$(wsd_pid)
  [ -n "$pid" ]
  kill -0 "$pid"
  ws_bg a --token "$(token_for member)" --timeout 90
  notify '{"type":"test.restart","data":{"phase":"before"},"ts":"x"}'
  poll 3 got a '.type == "test.restart" and .data.phase == "before"'

  "$STATION_SRC_DIR/scripts/dev" db stop
  "$STATION_SRC_DIR/scripts/dev" db start 3>&-

  # wsd reconnects with backoff: notify until one arrives (nothing sent while nobody
  # listened can arrive, so each attempt has its own marker).
  for ((i = 0; i < 60; i++)); do
    notify "{\"type\":\"test.restart\",\"data\":{\"phase\":\"after\",\"i\":$i},\"ts\":\"x\"}" || true
    if poll 0.5 got a '.type == "test.restart" and .data.phase == "after"'; then delivered=1 && break; fi
  done
  [ -n "$delivered" ]
  refute got a '.event == "close"'
  [ "$(wsd_pid)" = "$pid" ]
  kill -0 "$pid"
}

# ---- a private wsd: other configurations, start and stop ---------------------------------------

@test "server pings: a client that never answers is cut and logged; one that answers stays" {
  private_start STATION_WS_PING_INTERVAL=1
  local out=$BATS_TEST_TMPDIR/raw.out alive
  # Reads everything but never answers a ping: cut after two silent intervals.
  "$PY" "$WSC" raw --port "$PRIV_PORT" --token "$(token_for member)" --timeout 15 >"$out" 3>&- &
  bg_track $!
  # The library client answers pings: still connected after several intervals…
  priv_bg alive --token "$(token_for member)" --timeout 30
  alive=$WS_PID
  poll 10 test -s "$out"
  [ "$(jq -r '.event, .closeCode' "$out" | tr '\n' ' ')" = "eof null " ] # cut, no close frame
  sleep 4 # four more intervals
  kill -0 "$alive"
  refute got alive '.event'
  # …and when it vanishes without a close frame, it is not mistaken for a silent one.
  kill -9 "$alive"
  poll 10 private_log_count_ge 2 '"msg":"client disconnected"'
  [ "$(private_log_count '"level":"warn","msg":"client dropped: no pong"')" -eq 1 ]
}

@test "membership is re-checked every ping interval: a removed member is closed with 1008" {
  new_member swept
  private_start STATION_WS_PING_INTERVAL=1
  priv_bg swept --token "$USER_TOKEN" --timeout 20
  psql_exec "DELETE FROM station_members WHERE user_id = '$USER_ID'" >/dev/null # no notification
  poll 8 got swept '.event == "close"'
  [ "$(jq -c 'select(.event) | [.code, .reason]' "$BATS_TEST_TMPDIR/swept.out")" = '[1008,"removed from the station"]' ]
}

@test "an ended session (logout) is closed by the next sweep and refused at the door: the REST runtime's rule" {
  new_member loggedout
  local sid
  sid=$(token_sid "$USER_TOKEN")
  private_start STATION_WS_PING_INTERVAL=1
  priv_bg ended --token "$USER_TOKEN" --timeout 20
  psql_exec "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = '$sid'" >/dev/null # as logout does
  poll 8 got ended '.event == "close"'
  [ "$(jq -c 'select(.event) | [.code, .reason]' "$BATS_TEST_TMPDIR/ended.out")" = '[1008,"removed from the station"]' ]
  priv_run --token "$USER_TOKEN" --timeout 5
  [ "$(last_event | jq -r '.code, .reason' | tr '\n' ' ')" = "1008 not a member of this station " ]
}

@test "ws.max_clients bounds the clients: one more is closed with 1013" {
  private_start STATION_WS_MAX_CLIENTS=2
  local i
  for i in 1 2; do
    priv_bg "c$i" --token "$(token_for member)" --timeout 20
  done
  # Admission happens right after the upgrade: give both a moment to be counted.
  poll 5 eval "[ \$(tail -c +$((PRIV_LOG_FROM + 1)) '$(private_log)' | grep -c '\"msg\":\"client connected\"') -ge 2 ]"
  priv_run --token "$(token_for member)" --timeout 5
  [ "$(last_event | jq -r '.code, .reason' | tr '\n' ' ')" = "1013 too many clients " ]
}

@test "database unreachable: wsd runs and closes upgrades with 1011" {
  private_start STATION_DB_CONNINFO="host=$BATS_TEST_TMPDIR/no-such-dir port=1 dbname=station user=station"
  priv_run --token "$(token_for member)" --timeout 5
  [ "$(last_event | jq -r '.code, .reason' | tr '\n' ' ')" = "1011 database unavailable " ]
  kill -0 "$PRIV_PID"
  private_log_has '"msg":"database unreachable'
}

@test "a database that accepts and never answers does not stall wsd: clients get pongs, upgrades get 1011" {
  stall_start
  # An hour for one attempt: a loop that waited for it would answer nobody in this test.
  private_start STATION_DB_CONNINFO="$STALL_CONNINFO" STATION_DB_CONNECT_TIMEOUT=3600
  poll 10 private_log_has '"msg":"database connected; listening on station_events"'
  local go=$BATS_TEST_TMPDIR/held.go
  priv_bg held --token "$(token_for member)" --send-when "$go" --send '{"type":"ping"}' --until-type pong --timeout 30
  poll 5 private_log_has '"msg":"client connected"'

  stall_hold # the connection is cut; the next attempt is accepted and never answered
  poll 10 private_log_has '"msg":"database connection lost'
  poll 10 eval '[ "$(stall_count held)" -ge 1 ]'
  touch "$go"
  poll 10 got held '.event == "done"' # the admitted client's ping got its pong…
  priv_run --token "$(token_for member)" --timeout 5 # …and a new upgrade its answer
  [ "$(last_event | jq -r '.code, .reason' | tr '\n' ' ')" = "1011 database unavailable " ]
  refute private_log_has '"msg":"database unreachable' # the attempt was still waiting
  kill -0 "$PRIV_PID"

  stall_release # the held attempt fails; the next one goes through
  poll 10 private_log_has '"msg":"database connected after 1 retries; listening on station_events"'
  priv_run --token "$(token_for member)" --send '{"type":"ping"}' --until-type pong --timeout 5
  [ "$(last_event | jq -r .event)" = done ]
}

@test "SIGTERM: clients are closed with 1001 and wsd exits 0" {
  private_start
  local out=$BATS_TEST_TMPDIR/term.out status_code=0
  priv_bg term --token "$(token_for member)" --timeout 20
  poll 5 private_log_has '"msg":"client connected"'
  kill -TERM "$PRIV_PID"
  wait "$PRIV_PID" || status_code=$?
  PRIV_PID=
  [ "$status_code" -eq 0 ]
  poll 5 grep -q '"event"' "$out"
  [ "$(jq -c 'select(.event) | [.code, .reason]' "$out")" = '[1001,"server shutting down"]' ]
  ! tail -c +"$((PRIV_LOG_FROM + 1))" "$(private_log)" | grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' >&2
}

@test "missing JWT secret: wsd says so on stderr and exits non-zero" {
  run env STATION_CONFIG="$STATION_CONFIG" STATION_AUTH_JWT_SECRET_FILE="$BATS_TEST_TMPDIR/none" \
    STATION_WS_PORT="$(free_port)" timeout 10 "$STATION_BUILD_DIR/station-wsd"
  [ "$status" -eq 1 ]
  [[ $output == *"cannot start without the JWT secret"* ]]
}
