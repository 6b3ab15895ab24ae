#!/usr/bin/env bats
# kits.bats — auto-apply (SPEC §4 kits): devices sharing a kit tag handshake over MQTT, and
# when their types fill an auto-apply preset's roles (the built-in switch-light: a
# switch-pir and a light) the kit and its published automation exist; the same handshakes
# again make nothing new; devices of a tag that fill no preset make nothing; a kit deleted
# by a person is not made again by the next handshakes (docs/automations.md).
#
# Devices are created through the API with this run's prefix ($RUN) and removed at the
# end, which removes their kits too.

load ../helpers/common
load ../helpers/api
load ../helpers/mqtt

MQTT_HOST=127.0.0.1

setup_file() {
  ensure_owner >/dev/null
  token_for admin >/dev/null
  mqtt_suite_ids kt
  mqttd_running || mqttd_start
}

teardown_file() {
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}

# handshake EXT TOKEN TYPE TAG: publishes a handshake with kit tag TAG; the ack must be ok.
handshake() {
  local ack
  ack=$(mosquitto_rr -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$1" -P "$2" -i "$1" -q 1 \
    -t "$(topic "$1" handshake)" -e "$(topic "$1" handshake/ack)" -W 5 \
    -m "{\"type\":\"$3\",\"firmwareVersion\":\"0.1.32\",\"chip\":\"ESP32-D0WD-V3\",\"kit_tag\":\"$4\"}") || return 1
  [ "$ack" = '{"status":"ok"}' ] || { echo "ack: $ack" >&2; return 1; }
}

# kits_of ID: how many kits name device ID.
kits_of() { psql_exec "SELECT count(*) FROM device_kits WHERE devices::text LIKE '%$1%'"; }

@test "a switch and a light sharing a kit tag make the switch-light kit once, its automation published" {
  local sw sw_token li li_token kit
  new_device sw switch-pir; sw=$DEVICE_ID sw_token=$TOKEN
  new_device li light; li=$DEVICE_ID li_token=$TOKEN

  handshake "$RUN-sw" "$sw_token" switch-pir "k-$RUN-a"
  [ "$(kits_of "$sw")" = 0 ] # the light has not handshaken yet
  handshake "$RUN-li" "$li_token" light "k-$RUN-a"
  [ "$(psql_exec "SELECT preset_id, kit_tag, devices ->> 'trigger', devices ->> 'target' FROM device_kits
                  WHERE devices::text LIKE '%$sw%'")" = "switch-light|k-$RUN-a|$sw|$li" ]
  kit=$(psql_exec "SELECT id FROM device_kits WHERE devices::text LIKE '%$sw%'")
  call_as member GET /api/automations
  body=$(jq -c --arg k "$kit" '[.[] | select(.kitId == $k)]' <<<"$body")
  assert_each length 1 '.[0].status' published '.[0].flow.nodes[0].data.config.deviceId' "$sw" \
    '.[0].flow.nodes[1].data.config.deviceId' "$li"

  handshake "$RUN-li" "$li_token" light "k-$RUN-a"
  handshake "$RUN-sw" "$sw_token" switch-pir "k-$RUN-a"
  [ "$(kits_of "$sw")" = 1 ]
  [ "$(psql_exec "SELECT count(*) FROM automations WHERE kit_id = '$kit'")" = 1 ]
  poll 2 grep -q "\"msg\":\"kit made\",.*\"kitId\":\"$kit\"" "$(mqttd_log)"
}

@test "devices of a tag that fill no preset make nothing" {
  local a a_token b b_token
  new_device la light; a=$DEVICE_ID a_token=$TOKEN
  new_device lb light; b=$DEVICE_ID b_token=$TOKEN
  handshake "$RUN-la" "$a_token" light "k-$RUN-b"
  handshake "$RUN-lb" "$b_token" light "k-$RUN-b"
  [ "$(kits_of "$a")" = 0 ]
  [ "$(kits_of "$b")" = 0 ]
}

@test "a kit deleted by a person is not made again by the next handshakes" {
  local sw sw_token li li_token kit
  new_device sw2 switch-pir; sw=$DEVICE_ID sw_token=$TOKEN
  new_device li2 light; li=$DEVICE_ID li_token=$TOKEN
  handshake "$RUN-sw2" "$sw_token" switch-pir "k-$RUN-c"
  handshake "$RUN-li2" "$li_token" light "k-$RUN-c"
  kit=$(psql_exec "SELECT id FROM device_kits WHERE devices::text LIKE '%$sw%'")
  [ -n "$kit" ]
  call_as admin DELETE "/api/kits/$kit"
  assert_status 204
  handshake "$RUN-li2" "$li_token" light "k-$RUN-c"
  [ "$(kits_of "$sw")" = 0 ]
}

@test "deleting one of its devices deletes the kit and its automations" {
  local sw sw_token li li_token kit
  new_device sw3 switch-pir; sw=$DEVICE_ID sw_token=$TOKEN
  new_device li3 light; li=$DEVICE_ID li_token=$TOKEN
  handshake "$RUN-sw3" "$sw_token" switch-pir "k-$RUN-d"
  handshake "$RUN-li3" "$li_token" light "k-$RUN-d"
  kit=$(psql_exec "SELECT id FROM device_kits WHERE devices::text LIKE '%$sw%'")
  [ -n "$kit" ]
  call_as admin DELETE "/api/devices/$li"
  assert_status 204
  [ "$(kits_of "$sw")" = 0 ]
  [ "$(psql_exec "SELECT count(*) FROM automations WHERE kit_id = '$kit'")" = 0 ]
}
