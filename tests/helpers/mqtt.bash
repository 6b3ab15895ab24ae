# mqtt.bash — helpers of the suites that talk MQTT (`load ../helpers/mqtt` after common).
# They expect $RUN (a per-file prefix of external ids) and $STATION_ID to be set.
#
#   new_device SUFFIX [TYPE]     creates the device "$RUN-SUFFIX" (default type light) through
#                                the API; sets DEVICE_ID, EXT and TOKEN

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
