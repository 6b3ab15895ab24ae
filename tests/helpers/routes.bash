# routes.bash — the workers' route tables, for suites that walk every route
# (`load ../helpers/routes` after common).
#
#   all_routes                   every route of every built worker, one JSON line each
#                                ({module,method,path,public,who,body,textParams,fields})
#   concrete_path PATH TEXT      PATH with each ":param" replaced by a fresh UUID, or by a
#                                word that names nothing when TEXT is true (text params)

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
