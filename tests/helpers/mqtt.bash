# mqtt.bash — helpers of the suites that talk MQTT (`load ../helpers/mqtt` after common).
# They expect $RUN (a per-file prefix of external ids) and $STATION_ID to be set.
#
#   new_device SUFFIX [TYPE]     creates the device "$RUN-SUFFIX" (default type light) through
#                                the API; sets DEVICE_ID, EXT and TOKEN
#   topic EXT SUFFIX             station/$STATION_ID/device/EXT/SUFFIX
#   pub EXT TOKEN SUFFIX PAYLOAD publishes as that device (its credentials, QoS 1); expects
#                                $MQTT_HOST and $STATION_MQTT_PORT

new_device() {
  local type=${2:-light}
  api_json POST /api/devices "{\"externalId\":\"$RUN-$1\",\"name\":\"Device $1\",\"type\":\"$type\"}" \
    -H "Authorization: Bearer $(token_for admin)"
  assert_status 201
  DEVICE_ID=$(json_field .device.id)
  EXT=$(json_field .device.externalId)
  TOKEN=$(json_field .deviceToken)
  [ "$EXT" = "$RUN-$1" ]
  [ "$(json_field .bootstrap.stationId)" = "$STATION_ID" ]
}

topic() { echo "station/$STATION_ID/device/$1/$2"; }

pub() {
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$1" -P "$2" -i "$1" -q 1 \
    -t "$(topic "$1" "$3")" -m "$4"
}
