#!/usr/bin/env bats
# bad-input.bats — hostile bodies on every body-taking route, and the stack keeps serving.
#
# For each route with a body schema (from the workers' own tables) and each kind of bad
# input, the answer must be a 4xx in the SPEC §2 shape with a message, never a 5xx,
# and the next request to the same module must succeed. Routes are called as the most
# privileged caller allowed, with random UUIDs for path ids, so nothing real changes.

load ../helpers/common
load ../helpers/routes

setup_file() {
  ensure_owner >/dev/null
  probe_device_create "Bad-input probe" # for the device routes (POST /api/ota/report)
  export DEVICE_TOKEN
  DEVICE_TOKEN=$(cat "$BATS_FILE_TMPDIR/device_token")
  python3 - >"$BATS_FILE_TMPDIR/deep.json" <<'PY'
print('{"a":' + '[' * 1000 + ']' * 1000 + '}')
PY
  python3 -c 'print("x" * 100000)' >"$BATS_FILE_TMPDIR/huge.txt"
  printf '{"name":"\xff\xfe bad"}' >"$BATS_FILE_TMPDIR/utf8.json"
  head -c 1200000 /dev/zero | tr '\0' 'a' | sed 's/^/{"a":"/; s/$/"}/' >"$BATS_FILE_TMPDIR/toolarge.json"
}

teardown_file() {
  probe_device_delete
}

# Prints "METHOD PATH CALLER FIELDS-JSON" for every body-taking route.
body_routes() {
  all_routes | jq -c 'select(.body == true)'
}

strongest_caller() {
  local who=$1
  case " $who " in
    *" owner "*) echo owner ;;
    *" agent "*) echo agent ;;
    *) echo "${who%% *}" ;;
  esac
}

# Checks the last answer: a 4xx with the error shape. Prints a line and fails otherwise.
expect_client_error() {
  local what=$1
  if [[ "$status_code" =~ ^4[0-9][0-9]$ ]] && [ "$(jq -r '.message | length > 0' <<<"$body" 2>/dev/null)" = true ] \
     && [ "$(jq -r .statusCode <<<"$body" 2>/dev/null)" = "$status_code" ]; then
    return 0
  fi
  echo "$what: got $status_code ${body:0:200}" >&2
  return 1
}

# One wrong-typed value per declared field type.
wrong_value_for() {
  case "$1" in
    string|uuid|email|enum|time) echo '12345' ;;
    integer|number) echo '"not a number"' ;;
    boolean) echo '"yes"' ;;
    object) echo '[1]' ;;
    array) echo '{"a":1}' ;;
    *) echo '' ;;
  esac
}

@test "every body-taking route rejects bad input with a clear 4xx and keeps serving" {
  local failures=0 route method path text caller url field type wrong
  while IFS= read -r route; do
    method=$(jq -r .method <<<"$route")
    path=$(jq -r .path <<<"$route")
    text=$(jq -r .textParams <<<"$route")
    caller=$(strongest_caller "$(jq -r '.who | join(" ")' <<<"$route")")
    [ "$(jq -r .public <<<"$route")" = true ] && caller=anonymous
    url=$(concrete_path "$path" "$text")
    json=(-H 'Content-Type: application/json')

    call_as "$caller" "$method" "$url" "${json[@]}" --data-binary @"$BATS_FILE_TMPDIR/deep.json"
    expect_client_error "$method $path nesting 1000" || failures=$((failures + 1))
    # A 100 KB string in the first declared text field (unknown members are ignored).
    field=$(jq -r '[.fields[] | select(.type == "string" or .type == "email" or .type == "uuid" or .type == "enum")][0].name // empty' <<<"$route")
    if [ -n "$field" ]; then
      jq -cn --arg f "$field" --rawfile v "$BATS_FILE_TMPDIR/huge.txt" '{($f): $v}' >"$BATS_FILE_TMPDIR/huge.json"
      call_as "$caller" "$method" "$url" "${json[@]}" --data-binary @"$BATS_FILE_TMPDIR/huge.json"
      expect_client_error "$method $path 100 KB string in $field" || failures=$((failures + 1))
    fi
    call_as "$caller" "$method" "$url" "${json[@]}" --data-binary @"$BATS_FILE_TMPDIR/utf8.json"
    expect_client_error "$method $path invalid UTF-8" || failures=$((failures + 1))
    call_as "$caller" "$method" "$url" "${json[@]}" --data-binary @"$BATS_FILE_TMPDIR/toolarge.json"
    expect_client_error "$method $path body over the limit" || failures=$((failures + 1))
    [ "$status_code" = 413 ] || { echo "$method $path: over-limit body gave $status_code, not 413" >&2; failures=$((failures + 1)); }
    call_as "$caller" "$method" "$url" "${json[@]}" --data-binary '{"unterminated'
    expect_client_error "$method $path broken JSON" || failures=$((failures + 1))
    call_as "$caller" "$method" "$url" "${json[@]}" --data-binary '[1,2,3]'
    expect_client_error "$method $path array body" || failures=$((failures + 1))
    call_as "$caller" "$method" "$url" -H 'Content-Type: text/plain' --data-binary '{"a":1}'
    expect_client_error "$method $path text/plain" || failures=$((failures + 1))

    # Each field alone with a wrong type: the message must name that field or a required one.
    while IFS=$'\t' read -r field type; do
      [ -n "$field" ] || continue
      wrong=$(wrong_value_for "$type")
      [ -n "$wrong" ] || continue
      call_as "$caller" "$method" "$url" "${json[@]}" --data-binary "{\"$field\":$wrong}"
      expect_client_error "$method $path $field as wrong type" || failures=$((failures + 1))
      [[ "$(jq -r .message <<<"$body")" == *:* ]] || { echo "$method $path: message does not name a field: $body" >&2; failures=$((failures + 1)); }
    done < <(jq -r '.fields[] | [.name, .type] | @tsv' <<<"$route")

    # A UUID route with a malformed id is a 404, not a database error.
    if [[ "$path" == *:* ]] && [ "$text" != true ]; then
      bad_url=$(sed -E 's#/:[^/]+#/not-a-uuid#g' <<<"$path")
      call_as "$caller" "$method" "$bad_url" "${json[@]}" -d '{}'
      [ "$status_code" = 404 ] || { echo "$method $bad_url: got $status_code, expected 404" >&2; failures=$((failures + 1)); }
    fi

    api GET /api/health
    [ "$status_code" = 200 ] || { echo "health after $method $path: $status_code" >&2; failures=$((failures + 1)); }
  done < <(body_routes)
  [ "$failures" -eq 0 ]
}

@test "non-UUID ids on every UUID route are 404" {
  local failures=0 route method path caller bad_url
  while IFS= read -r route; do
    method=$(jq -r .method <<<"$route")
    path=$(jq -r .path <<<"$route")
    [[ "$path" == *:* ]] || continue
    [ "$(jq -r .textParams <<<"$route")" = true ] && continue
    caller=$(strongest_caller "$(jq -r '.who | join(" ")' <<<"$route")")
    bad_url=$(sed -E 's#/:[^/]+#/1%27%20OR%201=1#g' <<<"$path")
    call_as "$caller" "$method" "$bad_url" -H 'Content-Type: application/json' -d '{}'
    [ "$status_code" = 404 ] || { echo "$method $bad_url as $caller: $status_code $body" >&2; failures=$((failures + 1)); }
  done < <(all_routes)
  [ "$failures" -eq 0 ]
}
