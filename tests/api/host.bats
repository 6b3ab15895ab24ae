#!/usr/bin/env bats
# host.bats — the names the station answers to (docs/security.md, "DNS rebinding").
#
# A web page the owner visits can point a name of its own at the station's address (DNS
# rebinding) and then talk to the station as a same-origin page of that name. nginx refuses
# every Host that is not the station's own with a JSON 421 before any route, /ws included,
# is reached; the station's own names are localhost, any IP literal, <host name>.local and
# the configured http.server_names.
#
# Requests go through curl directly rather than `api`: a 421 is the door's answer about the
# Host, given before any operation of the API document is chosen, so it is not recorded for
# the contract suite (like /ws and the SPA, which it does not check either).

load ../helpers/common

# as_host HOST METHOD PATH [CURL ARG…]: the request with that Host header; sets $status_code
# and $body.
as_host() {
  local host=$1 method=$2 path=$3
  shift 3
  body=$(curl -sS -X "$method" -H "Host: $host" -o - -w '\n%{http_code}' --max-time 10 "$@" \
    "$STATION_URL$path")
  status_code=${body##*$'\n'}
  body=${body%$'\n'*}
}

# ws_status HOST: the status of a WebSocket upgrade of /ws with that Host (wsd answers the
# upgrade with 101, then closes at once: the token is no token).
ws_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Host: $1" -H 'Upgrade: websocket' \
    -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
    "$STATION_URL/ws?token=none" || true
}

# The first configured name of the stack (scripts/dev writes one).
configured_name() {
  sed -n 's/^[[:space:]]*http\.server_names[[:space:]]*=[[:space:]]*//p' "$STATION_CONFIG" | tail -n 1 |
    tr ',' ' ' | awk '{print $1}'
}

port() { local p=${STATION_URL##*:}; echo "${p%%/*}"; }

@test "a foreign Host gets the JSON 421 on /api/health, /api/auth/register and /ws" {
  as_host evil.example GET /api/health
  assert_error 421 'host: not a name of this station'
  assert_json .error 'Misdirected Request'

  as_host evil.example POST /api/auth/register -H 'Content-Type: application/json' \
    --data-binary '{"email":"rebound@station.test","password":"Station-test-passw0rd"}'
  assert_error 421 'host: not a name of this station'
  [ -z "$(psql_exec "SELECT 1 FROM users WHERE email = 'rebound@station.test'")" ]

  [ "$(ws_status evil.example)" = 421 ]
  [ "$(ws_status "evil.example:$(port)")" = 421 ]
}

@test "names that only contain a name of the station are foreign: 127.0.0.1.nip.io, <host>.lan.local, localhost.evil.example" {
  local short
  short=$(uname -n)
  short=${short%%.*}
  for host in 127.0.0.1.nip.io "$short.lan.local" localhost.evil.example "station.home.arpa.evil.example"; do
    as_host "$host" GET /api/health
    echo "Host: $host → $status_code" >&2
    assert_error 421 'host: not a name of this station'
  done
}

@test "the station's own names are served: 127.0.0.1:port, localhost, [::1], an IPv4 literal, the configured name, <host name>.local" {
  local name short
  name=$(configured_name)
  [ -n "$name" ] || {
    echo "the stack's config has no http.server_names" >&2
    return 1
  }
  short=$(uname -n)
  short=${short%%.*}
  for host in "127.0.0.1:$(port)" localhost "localhost:$(port)" '[::1]' "[::1]:$(port)" 192.168.1.20 \
    "$name" "$name:$(port)" "${name^^}" "$short.local" "${short^^}.local:$(port)"; do
    as_host "$host" GET /api/health
    echo "Host: $host → $status_code" >&2
    assert_status 200
    assert_json .status ok
  done
  [ "$(ws_status "localhost:$(port)")" = 101 ]
  [ "$(ws_status "$name")" = 101 ]
  [ "$(ws_status "$short.local")" = 101 ]
}

@test "a request without a host name (HTTP/1.0, no Host) is served as one for localhost" {
  [ "$(curl -s -0 -H 'Host:' -o /dev/null -w '%{http_code}' --max-time 10 "$STATION_URL/api/health")" = 200 ]
}
