#!/usr/bin/env bats
# config.bats — the one configuration of every program (lib/config.c, docs/configuration.md):
# every declared key is documented, and a bad number or boolean stops every program at start
# with status 2 and a message naming the key — also a program that never reads that key,
# so a typo never waits for the first request that happens to read it.

load ../helpers/common

# The programs that read the configuration, as their units start them.
programs() {
  printf '%s\n' "api-health" "station-mqttd" "station-wsd" "station-migrate" "station-cron device-events-cleanup"
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
