#!/usr/bin/env bats
# authz-matrix.bats — every route of every module × every kind of caller.
#
# The routes come from the workers themselves (STATION_PRINT_ROUTES=1 prints a module's
# table), so a new route is covered the day it is declared. For each route and caller:
# a caller outside the route's `who` must get 401 (anonymous) or 403 (anyone else); a
# caller inside must get past authorization (neither 401 nor 403). Path ids are random
# UUIDs and bodies are {} so that nothing is changed by walking the matrix.

load ../helpers/common
load ../helpers/routes

callers=(anonymous member admin owner device agent)

setup_file() {
  ensure_owner >/dev/null
  local admin_token ext
  admin_token=$(token_for admin)
  ext="matrix-$RANDOM$RANDOM"
  api POST /api/devices -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' \
    -d "{\"externalId\":\"$ext\",\"name\":\"Matrix probe\",\"type\":\"climate\"}"
  [ "$status_code" = 201 ] || { echo "cannot create the probe device: $status_code $body" >&2; return 1; }
  echo "$body" | jq -r .deviceToken >"$BATS_FILE_TMPDIR/device_token"
  echo "$body" | jq -r .device.id >"$BATS_FILE_TMPDIR/device_id"
}

teardown_file() {
  [ -s "$BATS_FILE_TMPDIR/device_id" ] && psql_exec "DELETE FROM devices WHERE id = '$(cat "$BATS_FILE_TMPDIR/device_id")'" >/dev/null || true
}

@test "every route answers every kind of caller as its table declares" {
  local failures=0 checked=0 route method path who public text caller path_now expected
  while IFS= read -r route; do
    method=$(jq -r .method <<<"$route")
    path=$(jq -r .path <<<"$route")
    public=$(jq -r .public <<<"$route")
    text=$(jq -r .textParams <<<"$route")
    who=$(jq -r '.who | join(" ")' <<<"$route")
    for caller in "${callers[@]}"; do
      path_now=$(concrete_path "$path" "$text")
      DEVICE_TOKEN=$(cat "$BATS_FILE_TMPDIR/device_token")
      call_as "$caller" "$method" "$path_now" -H 'Content-Type: application/json' -d '{}'
      checked=$((checked + 1))
      if [ "$public" = true ]; then
        [ "$status_code" != 401 ] && continue
        expected="not 401 (public)"
      elif [[ " $who " == *" $caller "* ]]; then
        [ "$status_code" != 401 ] && [ "$status_code" != 403 ] && continue
        expected="allowed"
      elif [ "$caller" = anonymous ]; then
        [ "$status_code" = 401 ] && continue
        expected=401
      else
        [ "$status_code" = 403 ] && continue
        expected=403
      fi
      echo "$method $path as $caller: got $status_code, expected $expected — $body" >&2
      failures=$((failures + 1))
    done
  done < <(all_routes)
  echo "checked $checked route×caller pairs" >&2
  [ "$checked" -gt 0 ]
  [ "$failures" -eq 0 ]
}

@test "the matrix covers every module that is built" {
  local modules bin m
  modules=$(all_routes | jq -r .module | sort -u | tr '\n' ' ')
  for m in health auth devices device-types device-events zones settings users user-management automations kits; do
    [[ " $modules " == *" $m "* ]] || { echo "module $m has no routes in the matrix" >&2; return 1; }
  done
  for bin in "$STATION_BUILD_DIR"/api-*; do # and any module added since
    m=${bin##*/api-}
    [[ " $modules " == *" $m "* ]] || { echo "module $m has no routes in the matrix" >&2; return 1; }
  done
}
