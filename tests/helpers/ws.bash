# ws.bash — WebSocket clients of the suites (`load ../helpers/ws` after common), through
# tests/ws/wsclient.py (Debian's python3-websockets).
#
#   ws_setup             finds a python3 with websockets (PY), the client (WSC) and
#                        nginx's /ws (WS_URL), exported; fails saying what is missing
#   ws_bg NAME ARG…      a client in the background (wsclient.py listen ARG…) writing what
#                        it receives to NAME.out in the test's directory; returns once it is
#                        connected, or fails with what its output says; its pid in WS_PID.
#                        WS_URL=… ws_bg … connects elsewhere (a private wsd)
#   got NAME JQ_FILTER   true when a line NAME received matches FILTER

ws_setup() {
  local p
  export PY=
  for p in /usr/bin/python3 python3; do
    if "$p" -c 'import websockets' 2>/dev/null; then PY=$p && break; fi
  done
  [ -n "$PY" ] || {
    echo "no python3 with the websockets module (Debian: python3-websockets)" >&2
    return 1
  }
  export WSC="$STATION_SRC_DIR/tests/ws/wsclient.py"
  export WS_URL="${STATION_URL/#http:/ws:}/ws"
}

ws_bg() {
  local name=$1 dir=$BATS_TEST_TMPDIR
  shift
  rm -f "$dir/$name.out" "$dir/$name.ready"
  "$PY" "$WSC" listen --url "$WS_URL" --out "$dir/$name.out" --ready "$dir/$name.ready" "$@" 3>&- &
  WS_PID=$!
  bg_track $WS_PID
  poll 10 eval "[ -e '$dir/$name.ready' ] || [ -s '$dir/$name.out' ] || ! kill -0 $WS_PID 2>/dev/null"
  [ -e "$dir/$name.ready" ] || {
    echo "client $name did not connect: $(cat "$dir/$name.out" 2>/dev/null)" >&2
    return 1
  }
}

got() { jq -e -c "select($2)" "$BATS_TEST_TMPDIR/$1.out" 2>/dev/null | grep -q .; }
