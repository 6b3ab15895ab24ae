#!/usr/bin/env bats
# openapi.bats — /api/openapi.json: served by nginx to anyone, the document station-openapi
# makes from the workers' route tables (tools/openapi/, cgi/openapi.c), and complete:
# every route of every table is in it with who may call it, its limits and its statuses.

load ../helpers/common
load ../helpers/routes

setup_file() {
  curl -fsS --max-time 10 "$STATION_URL/api/openapi.json" -o "$BATS_FILE_TMPDIR/served.json"
}

doc() { jq -r "$1" "$BATS_FILE_TMPDIR/served.json"; }

@test "GET /api/openapi.json is public JSON: an OpenAPI 3.1 document of this version" {
  api GET /api/openapi.json
  assert_status 200
  [[ $(header Content-Type) == application/json* ]] || { echo "Content-Type: $(header Content-Type)" >&2; return 1; }
  [ -n "$(header X-Request-Id)" ]
  assert_json .openapi 3.1.0
  local version
  version=$(json_field .info.version)
  api GET /api/health
  assert_json .version "$version"
}

@test "the served document is what station-openapi makes from the built workers" {
  "$STATION_BUILD_DIR/station-openapi" "$STATION_BUILD_DIR" >"$BATS_TEST_TMPDIR/fresh.json"
  cmp "$BATS_TEST_TMPDIR/fresh.json" "$BATS_FILE_TMPDIR/served.json"
}

@test "every route of every module is an operation, with who may call it" {
  local route method path doc_path who missing=0 count=0
  while IFS= read -r route; do
    method=$(jq -r '.method | ascii_downcase' <<<"$route")
    path=$(jq -r .path <<<"$route")
    doc_path=$(sed -E 's#/:([^/]+)#/{\1}#g' <<<"$path")
    who=$(jq -c .who <<<"$route")
    count=$((count + 1))
    if [ "$(doc ".paths[\"$doc_path\"].$method[\"x-station-who\"] | tostring")" != "$who" ]; then
      echo "missing or wrong: $method $doc_path (who $who)" >&2
      missing=$((missing + 1))
    fi
  done < <(all_routes)
  [ "$count" -gt 0 ]
  [ "$missing" -eq 0 ]
  # …and nothing else: as many operations as routes.
  [ "$(doc '[.paths[] | keys[]] | length')" -eq "$count" ]
}

@test "GET /api/devices/{id} admits members, admins and owners by access token or cookie" {
  assert_op() { [ "$(doc "$1")" = "$2" ] || { echo "$1: $(doc "$1"), expected $2" >&2; return 1; }; }
  assert_op '.paths["/api/devices/{id}"].get["x-station-who"] | join(",")' member,admin,owner
  assert_op '.paths["/api/devices/{id}"].get.security | map(keys[]) | join(",")' accessToken,accessTokenCookie
  assert_op '.paths["/api/devices/{id}"].get.parameters[0] | "\(.in) \(.name) \(.schema.format)"' "path id uuid"
  assert_op '.paths["/api/devices/{id}"].get.responses | keys | join(",")' 200,401,403,404,500,503
  assert_op '.paths["/api/devices/{id}"].get.responses["200"].content["application/json"].schema.additionalProperties' false
  assert_op '.paths["/api/health"].get.security | length' 0
  assert_op '.paths["/api/device-types/{id}"].put["x-station-who"] | join(",")' admin,owner,agent
  assert_op '.paths["/api/device-types/{id}"].put.security | map(keys[]) | join(",")' accessToken,accessTokenCookie,agentToken
  assert_op '.components.securitySchemes.deviceToken | "\(.in) \(.name)"' "header X-Device-Token"
}

@test "body and query limits of the tables are in the schemas" {
  local register='.paths["/api/auth/register"].post.requestBody.content["application/json"].schema'
  [ "$(doc "$register.properties.password | \"\(.minLength) \(.maxLength)\"")" = "8 128" ]
  [ "$(doc "$register.properties.email.format")" = email ]
  [ "$(doc "$register.properties.name.type | join(\",\")")" = string,null ]
  [ "$(doc "$register.required | join(\",\")")" = email,password ]
  [ "$(doc "$register.additionalProperties")" = null ] # unknown members are ignored, not refused
  [ "$(doc '.paths["/api/device-events"].get.parameters[] | select(.name == "limit") | .schema | "\(.type) \(.minimum) \(.maximum)"')" = "integer 1 500" ]
  [ "$(doc '.paths["/api/device-types/{id}"].put.requestBody.content["application/json"].schema.properties.capabilities.maxItems')" = 64 ]
  # A declared error refers to the one Error schema.
  [ "$(doc '.paths["/api/devices"].post.responses["409"].content["application/json"].schema.allOf[0]["$ref"]')" = "#/components/schemas/Error" ]
}
