#!/usr/bin/env bats
# config.bats — the one configuration of every program (lib/config.c, docs/configuration.md):
# every declared key is documented, and a bad number or boolean stops every program at start
# with status 2 and a message naming the key — also a program that never reads that key,
# so a typo never waits for the first request that happens to read it; and a secret file
# readable by others, or too short, stops the program that reads it (naming the fix).

load ../helpers/common

# The programs that read the configuration, as their units start them.
programs() {
  printf '%s\n' "api-health" "station-mqttd" "station-wsd" "station-automationd" "station-migrate" "station-cron device-events-cleanup"
}

# run_program "NAME [ARG]" VAR=VALUE: the program with the stack's configuration plus VAR.
run_program() {
  local cmd=$1
  shift
  run env STATION_CONFIG="$STATION_CONFIG" "$@" timeout 10 $STATION_BUILD_DIR/$cmd </dev/null
}

@test "every key station-migrate --print-config declares is in docs/configuration.md, and no other" {
  local declared documented
  declared=$("$STATION_BUILD_DIR/station-migrate" --print-config | grep -v '^#' | sed -n 's/ = .*//p' | sort)
  [ "$(wc -l <<<"$declared")" -gt 30 ]
  documented=$(grep '^| `' "$STATION_SRC_DIR/docs/configuration.md" | cut -d'|' -f2 | grep -o '`[a-z_.]*`' | tr -d '`' | sort)
  diff <(echo "$declared") <(echo "$documented")
}

@test "--print-config gives every number its range and every boolean its values" {
  run "$STATION_BUILD_DIR/station-migrate" --print-config
  [ "$status" -eq 0 ]
  grep -qx '# port wsd listens on (1 to 65535)' <<<"$output"
  grep -qx '# mark auth cookies Secure (only when served over HTTPS) (true or false)' <<<"$output"
}

@test "a number out of range stops every program at start, even one that does not use it" {
  local program
  while read -r program; do
    run_program "$program" STATION_EVENTS_PAGE_LIMIT=0
    [ "$status" -eq 2 ] || { echo "$program: status $status: $output" >&2; return 1; }
    [[ $output == *'config events.page_limit: must be an integer between 1 and 100000 (not \"0\")'* ]] ||
      { echo "$program: $output" >&2; return 1; }
  done < <(programs)
}

@test "a number that is not a number, a boolean that is not one and an empty name are named too" {
  run_program station-wsd STATION_WS_QUEUE_LIMIT=lots STATION_AUTH_COOKIE_SECURE=maybe STATION_MQTT_HOST=
  [ "$status" -eq 2 ]
  [[ $output == *'config mqtt.host: must not be empty'* ]]
  [[ $output == *'config ws.queue_limit: must be an integer between 1 and 1000000 (not \"lots\")'* ]]
  [[ $output == *'config auth.cookie_secure: must be true or false (not \"maybe\")'* ]]
}

# ---- secret files ----

# stops "NAME [ARG]" VAR=VALUE EXIT TEXT: the program with VAR exits with EXIT ("nonzero":
# any status but 0) and its output holds TEXT.
stops() {
  run_program "$1" "$2"
  if [ "$3" = nonzero ]; then [ "$status" -ne 0 ]; else [ "$status" -eq "$3" ]; fi || return 1
  [[ $output == *"$4"* ]]
}

# secret_copy NAME MODE [CONTENT]: a copy of the stack's secret NAME (or CONTENT) in this
# test's directory, with MODE; prints its path.
secret_copy() {
  local f=$BATS_TEST_TMPDIR/$1
  if [ $# -ge 3 ]; then printf '%s\n' "$3" >"$f"; else cp "$STATION_RUN_DIR/secrets/$1" "$f"; fi
  chmod "$2" "$f"
  echo "$f"
}

@test "a secret readable by group or others stops every program that reads it, naming the file and the fix" {
  local jwt agent mqtt
  jwt=$(secret_copy jwt_secret 640)
  agent=$(secret_copy agent_token 604)
  mqtt=$(secret_copy mqtt_password 644)
  stops api-health STATION_AUTH_JWT_SECRET_FILE="$jwt" 2 \
    "secret $jwt (auth.jwt_secret_file): readable by group or others; fix it with: chmod 600 $jwt"
  stops api-health STATION_AUTH_AGENT_TOKEN_FILE="$agent" 2 "chmod 600 $agent"
  stops station-wsd STATION_AUTH_JWT_SECRET_FILE="$jwt" nonzero "chmod 600 $jwt"
  stops station-mqttd STATION_MQTT_DAEMON_PASSWORD_FILE="$mqtt" nonzero \
    "secret $mqtt (mqtt.daemon_password_file): readable by group or others; fix it with: chmod 600 $mqtt"
}

@test "a short MQTT daemon password stops mqttd: at least 32 characters" {
  local mqtt
  mqtt=$(secret_copy mqtt_password 600 x)
  stops station-mqttd STATION_MQTT_DAEMON_PASSWORD_FILE="$mqtt" nonzero \
    "secret $mqtt (mqtt.daemon_password_file): must be at least 32 characters long"
}

@test "station-migrate creates missing secrets with mode 0600; the dev stack's are 0600" {
  local dir=$BATS_TEST_TMPDIR/new-secrets
  run_program station-migrate STATION_AUTH_JWT_SECRET_FILE="$dir/jwt" STATION_AUTH_AGENT_TOKEN_FILE="$dir/agent" \
    STATION_MQTT_DAEMON_PASSWORD_FILE="$dir/mqtt"
  [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
  [ "$(stat -c %a "$dir/jwt" "$dir/agent" "$dir/mqtt" | sort -u)" = 600 ]
  [ "$(stat -c %a "$dir")" = 700 ]
  [ "$(head -n 1 "$dir/mqtt" | tr -d '\n' | wc -c)" -ge 32 ]
  [ "$(stat -c %a "$STATION_RUN_DIR"/secrets/* | sort -u)" = 600 ]
}
