# routes.bash — the workers' route tables, for suites that walk every route
# (`load ../helpers/routes` after common).
#
#   all_routes                   every route of every built worker, one JSON line each
#                                ({module,method,path,public,who,body,textParams,fields})
#   concrete_path PATH TEXT      PATH with each ":param" replaced by a fresh UUID, or by a
#                                word that names nothing when TEXT is true (text params)
#   probe_device_create NAME     a climate device to call device routes as: its token in
#                                $BATS_FILE_TMPDIR/device_token, its id in …/device_id
#   probe_device_delete          removes it (teardown_file)

all_routes() {
  local bin
  for bin in "$STATION_BUILD_DIR"/api-*; do
    STATION_PRINT_ROUTES=1 "$bin"
  done
}

concrete_path() {
  local path=$1 text=$2 out="" seg
  IFS=/ read -ra segs <<<"$path"
  for seg in "${segs[@]:1}"; do
    if [[ $seg == :* ]]; then
      if [ "$text" = true ]; then seg="no-such-id-$RANDOM"; else seg=$(uuid_new); fi
    fi
    out="$out/$seg"
  done
  echo "$out"
}

probe_device_create() {
  api POST /api/devices -H "Authorization: Bearer $(token_for admin)" -H 'Content-Type: application/json' \
    -d "{\"externalId\":\"probe-$RANDOM$RANDOM\",\"name\":\"$1\",\"type\":\"climate\"}"
  [ "$status_code" = 201 ] || { echo "cannot create the probe device: $status_code $body" >&2; return 1; }
  echo "$body" | jq -r .deviceToken >"$BATS_FILE_TMPDIR/device_token"
  echo "$body" | jq -r .device.id >"$BATS_FILE_TMPDIR/device_id"
}

probe_device_delete() {
  [ -s "$BATS_FILE_TMPDIR/device_id" ] || return 0
  psql_exec "DELETE FROM devices WHERE id = '$(cat "$BATS_FILE_TMPDIR/device_id")'" >/dev/null || true
}
