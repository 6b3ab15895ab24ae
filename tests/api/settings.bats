#!/usr/bin/env bats
# settings.bats — /api/settings: the station's settings as members read them, what an
# owner or admin may change (a time zone of the zoneinfo database — names that could
# leave it refused —, a BCP 47 locale, the unit, autoOta, the station's name), and the
# Wi-Fi the station-agent reports with PUT or POST /api/settings/agent: only the agent
# token gets in, and the password is stored sealed and never appears in an answer or a
# log (SPEC §4 settings, docs/settings.md).
#
# The settings are the station's one row: setup_file keeps it and teardown_file puts it back.

load ../helpers/common
load ../helpers/api

setup_file() {
  api_suite_begin s
  psql_exec "SELECT row_to_json(ss) FROM station_settings ss" >"$BATS_FILE_TMPDIR/settings.json"
  psql_exec "SELECT name FROM station" >"$BATS_FILE_TMPDIR/station_name"
}

teardown_file() {
  psql_exec "UPDATE station_settings ss SET (timezone, locale, temperature_unit, auto_ota, wifi_ssid,
      wifi_password_sealed, wifi_updated_at, updated_at) =
      (SELECT timezone, locale, temperature_unit, auto_ota, wifi_ssid, wifi_password_sealed, wifi_updated_at, updated_at
       FROM json_populate_record(NULL::station_settings, $(sql_literal "$(cat "$BATS_FILE_TMPDIR/settings.json")")::json))" >/dev/null || true
  psql_exec "UPDATE station SET name = $(sql_literal "$(cat "$BATS_FILE_TMPDIR/station_name")")" >/dev/null || true
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}


# agent_sends METHOD JSON: the agent's call.
agent_sends() { send agent "$1" /api/settings/agent "$2"; }

@test "members read the settings: the station's id and name, and nothing secret" {
  call_as member GET /api/settings
  assert_status 200
  assert_each_c 'keys' '["autoOta","locale","provisioningWifi","stationId","stationName","temperatureUnit","timezone"]' \
    '.provisioningWifi | keys' '["hasPassword","ssid"]' \
    '.autoOta | type' '"boolean"' \
    '.provisioningWifi.hasPassword | type' '"boolean"'
  assert_json '.stationId' "$(psql_exec 'SELECT id FROM station')"
  assert_json '.stationName' "$(psql_exec 'SELECT name FROM station')"
  call_as anonymous GET /api/settings
  assert_status 401
  call_as agent GET /api/settings
  assert_status 403
}

@test "an admin changes each setting; the answer and later reads show it" {
  send admin PATCH /api/settings "{\"stationName\":\"  $RUN home  \",\"timezone\":\"Europe/Paris\",\"locale\":\"de-CH\",\"temperatureUnit\":\"F\",\"autoOta\":true}"
  assert_status 200
  assert_each '.stationName' "$RUN home" '.timezone' 'Europe/Paris' '.locale' 'de-CH' '.temperatureUnit' 'F' '.autoOta' true
  [ "$(psql_exec 'SELECT name FROM station')" = "$RUN home" ]
  # one at a time; the others stay
  send owner PATCH /api/settings '{"autoOta":false}'
  assert_status 200
  assert_each '.autoOta' false '.timezone' 'Europe/Paris' '.stationName' "$RUN home"
  send admin PATCH /api/settings '{"timezone":"America/Argentina/Buenos_Aires"}'
  assert_json '.timezone' 'America/Argentina/Buenos_Aires'
  send admin PATCH /api/settings '{"timezone":"UTC","locale":"en","temperatureUnit":"C"}'
  assert_each '.timezone' 'UTC' '.locale' 'en' '.temperatureUnit' 'C' '.autoOta' false
  call_as member GET /api/settings
  assert_each '.timezone' 'UTC' '.stationName' "$RUN home"
}

@test "timezone must be in the zoneinfo database; names that could leave it are refused" {
  local tz message='timezone: must be a time zone of the zoneinfo database, like Europe/Paris'
  for tz in Mars/Olympus_Mons ../../etc/passwd /etc/localtime /usr/share/zoneinfo/UTC Europe/../UTC \
    Europe/./Paris ./UTC Europe//Paris Europe/Paris/ Europe localtime posixrules zone.tab iso3166.tab \
    tzdata.zi europe/paris 'Europe/Paris\u0000' 'Europe/Pa ris' '%2e%2e/etc/passwd' '..'; do
    send admin PATCH /api/settings "{\"timezone\":\"$tz\"}"
    assert_status 400
    assert_json '.message' "$message"
  done
  refusals admin PATCH /api/settings \
    400 'timezone: must not be empty' '{"timezone":""}' \
    400 'timezone: must be at most 64 characters' "{\"timezone\":\"$(printf 'A%.0s' {1..65})\"}" \
    400 'timezone: must not be null' '{"timezone":null}' \
    400 'timezone: must be a string' '{"timezone":7}'
  call_as member GET /api/settings
  [ "$(json_field .timezone)" != Europe ]
}

@test "locale must be a well-formed BCP 47 tag" {
  local tag
  for tag in en de-CH zh-Hant-TW sr-Latn-RS es-419 EN-us en-US-x-twain de-DE-u-co-phonebk \
    x-private zh-yue-HK sl-rozaj-biske de-CH-1901 en-a-bbb-x-a-ccc; do
    send admin PATCH /api/settings "{\"locale\":\"$tag\"}"
    assert_status 200
    assert_json '.locale' "$tag"
  done
  for tag in e en- -en en--US en_US 'en US' 'de-CH-' toolonglanguage en-a x en-x 1en en-US-x- 'fr-é' \
    en-abcdefghi i-klingon; do
    send admin PATCH /api/settings "$(jq -cn --arg t "$tag" '{locale:$t}')"
    assert_status 400
    assert_json '.message' 'locale: must be a BCP 47 language tag, like en or de-CH'
  done
}

@test "temperatureUnit, autoOta and stationName are checked; an empty change is refused" {
  refusals admin PATCH /api/settings \
    400 'temperatureUnit: must be one of C, F' '{"temperatureUnit":"K"}' \
    400 'temperatureUnit: must be one of C, F' '{"temperatureUnit":"c"}' \
    400 'autoOta: must be a boolean' '{"autoOta":"yes"}' \
    400 'stationName: must not be blank' '{"stationName":"  "}' \
    400 'stationName: must not be empty' '{"stationName":""}' \
    400 'stationName: must be at most 100 characters' "{\"stationName\":\"$(printf 'n%.0s' {1..101})\"}" \
    400 'body: nothing to update' '{}' \
    400 'body: nothing to update' '{"unknown":1}'
}

@test "only owners and admins change the settings" {
  send member PATCH /api/settings '{"autoOta":true}'
  assert_status 403
  send agent PATCH /api/settings '{"autoOta":true}'
  assert_status 403
  send anonymous PATCH /api/settings '{"autoOta":true}'
  assert_status 401
  call_as member GET /api/settings
  assert_json '.autoOta' false
}

@test "the agent reports the Wi-Fi with PUT and with POST; the password is stored sealed" {
  local password="$RUN-Wifi pass!" sealed
  agent_sends POST "$(jq -cn --arg p "$password" '{ssid:"HomeNet",password:$p}')"
  assert_status 200
  assert_each_c '.' '{"ssid":"HomeNet","hasPassword":true}'
  call_as member GET /api/settings
  assert_each_c '.provisioningWifi' '{"ssid":"HomeNet","hasPassword":true}'
  sealed=$(psql_exec "SELECT wifi_password_sealed FROM station_settings")
  [[ $sealed == v1.* ]]
  [[ $sealed != *"$password"* ]]
  [ "$(psql_exec "SELECT count(*) FROM station_settings WHERE row_to_json(station_settings)::text LIKE '%$RUN-Wifi%'")" = 0 ]
  # PUT does the same; the same password seals differently every time (a fresh nonce)
  agent_sends PUT "$(jq -cn --arg p "$password" '{ssid:"Home Net 5G",password:$p}')"
  assert_status 200
  assert_each_c '.' '{"ssid":"Home Net 5G","hasPassword":true}'
  [ "$(psql_exec "SELECT wifi_password_sealed FROM station_settings")" != "$sealed" ]
  call_as member GET /api/settings
  assert_json '.provisioningWifi.ssid' 'Home Net 5G'
}

@test "an open network: no password, null or empty" {
  local body_json
  for body_json in '{"ssid":"Cafe"}' '{"ssid":"Cafe","password":null}' '{"ssid":"Cafe","password":""}'; do
    agent_sends PUT '{"ssid":"Locked","password":"a password"}'
    assert_json '.hasPassword' true
    agent_sends POST "$body_json"
    assert_status 200
    assert_each_c '.' '{"ssid":"Cafe","hasPassword":false}'
    [ -z "$(psql_exec "SELECT wifi_password_sealed FROM station_settings")" ]
  done
}

@test "the agent's Wi-Fi is checked" {
  local method
  for method in PUT POST; do
    refusals agent "$method" /api/settings/agent \
      400 'ssid: is required' '{"password":"a password"}' \
      400 'ssid: must not be empty' '{"ssid":""}' \
      400 'ssid: must be at most 32 bytes' "{\"ssid\":\"$(printf 's%.0s' {1..33})\"}" \
      400 'ssid: must be at most 32 bytes' "{\"ssid\":\"$(printf 'é%.0s' {1..17})\"}" \
      400 'password: must be at most 64 bytes' "{\"ssid\":\"x\",\"password\":\"$(printf 'p%.0s' {1..65})\"}" \
      400 'password: must be a string' '{"ssid":"x","password":12345678}'
  done
  # 32 bytes and 64 bytes are fine
  agent_sends PUT "{\"ssid\":\"$(printf 's%.0s' {1..32})\",\"password\":\"$(printf 'p%.0s' {1..64})\"}"
  assert_status 200
}

@test "PUT and POST /api/settings/agent take the agent token and nothing else" {
  local method who
  DEVICE_TOKEN=$(api_json POST /api/devices "{\"externalId\":\"$RUN-dev\",\"name\":\"$RUN dev\",\"type\":\"pir\"}" \
    -H "Authorization: Bearer $(token_for admin)" >/dev/null && json_field .deviceToken)
  [ -n "$DEVICE_TOKEN" ]
  export DEVICE_TOKEN
  for method in PUT POST; do
    for who in member admin owner device; do
      send "$who" "$method" /api/settings/agent '{"ssid":"Intruder","password":"intruder pass"}'
      assert_status 403
    done
    send anonymous "$method" /api/settings/agent '{"ssid":"Intruder","password":"intruder pass"}'
    assert_status 401
    api_json "$method" /api/settings/agent '{"ssid":"Intruder"}' -H 'Authorization: Bearer not-the-agent-token'
    assert_status 401
  done
  [ "$(psql_exec "SELECT count(*) FROM station_settings WHERE wifi_ssid = 'Intruder'")" = 0 ]
}

@test "the Wi-Fi password appears in no answer and no log" {
  local password="$RUN-never-shown-$RANDOM" f
  agent_sends POST "$(jq -cn --arg p "$password" '{ssid:"Logged?",password:$p}')"
  assert_status 200
  [[ $body != *"$password"* ]]
  # refused calls that carry it too
  send admin PATCH /api/settings "$(jq -cn --arg p "$password" '{stationName:"",password:$p}')"
  [[ $body != *"$password"* ]]
  agent_sends PUT "$(jq -cn --arg p "$password" '{ssid:"",password:$p}')"
  assert_status 400
  [[ $body != *"$password"* ]]
  send member POST /api/settings/agent "$(jq -cn --arg p "$password" '{ssid:"x",password:$p}')"
  [[ $body != *"$password"* ]]
  call_as member GET /api/settings
  [[ $body != *"$password"* ]]
  [[ $body != *"$(psql_exec "SELECT wifi_password_sealed FROM station_settings")"* ]]
  for f in "$STATION_RUN_DIR"/log/*.log; do
    refute grep -q -F -- "$password" "$f"
  done
}
