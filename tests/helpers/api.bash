# api.bash — request-and-assert steps several API suites repeat (`load ../helpers/api`
# after common). They expect $RUN (a per-file prefix of external ids) to be set.
#
#   api_suite_begin P                the owner exists; exports RUN, this file's prefix P<time><random>
#   device_id_new SUFFIX NAME TYPE   creates the device "$RUN-SUFFIX" as admin; prints its id
#   send WHO METHOD PATH JSON [CURL ARGS…]   call_as with JSON as an application/json body
#   refusals WHO METHOD PATH [STATUS MESSAGE BODY]…
#                                    sends each JSON BODY as WHO; each answer must be STATUS
#                                    with that .message
#   assert_each PATH VALUE [PATH VALUE]…     assert_json of each pair (jq -r: strings bare)
#   assert_each_c PATH JSON [PATH JSON]…     each PATH of the body, as compact JSON, is JSON

api_suite_begin() {
  ensure_owner >/dev/null || return 1
  export RUN="$1$(date +%s)$RANDOM"
}

device_id_new() {
  api_json POST /api/devices "{\"externalId\":\"$RUN-$1\",\"name\":\"$2\",\"type\":\"$3\"}" \
    -H "Authorization: Bearer $(token_for admin)" || return 1
  [ "$status_code" = 201 ] || { echo "create device: $status_code $body" >&2; return 1; }
  json_field .device.id
}

send() {
  call_as "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary "$4" "${@:5}"
}

refusals() {
  local who=$1 method=$2 path=$3
  shift 3
  while [ $# -ge 3 ]; do
    send "$who" "$method" "$path" "$3" || return 1
    assert_status "$1" || return 1
    assert_json '.message' "$2" || return 1
    shift 3
  done
  [ $# -eq 0 ] || { echo "refusals: $# arguments left over" >&2; return 1; }
}

assert_each() {
  while [ $# -ge 2 ]; do
    assert_json "$1" "$2" || return 1
    shift 2
  done
  [ $# -eq 0 ] || { echo "assert_each: an odd argument left over" >&2; return 1; }
}

assert_each_c() {
  local actual
  while [ $# -ge 2 ]; do
    actual=$(jqc "$1")
    [ "$actual" = "$2" ] || { echo "$1: expected $2, got $actual" >&2; return 1; }
    shift 2
  done
  [ $# -eq 0 ] || { echo "assert_each_c: an odd argument left over" >&2; return 1; }
}
