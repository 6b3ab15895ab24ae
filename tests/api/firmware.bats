#!/usr/bin/env bats
# firmware.bats — /api/firmware: uploading ESP32 app images (streamed to disk, checked,
# stored as <type>@<version>.bin; the same bytes again are the same image, other bytes a
# conflict), both spellings of a type (light, the agent's esp32-light), the size limit,
# and downloads that nginx serves once the worker said yes: to members and device tokens,
# with Content-Length, ETag and ranges, never to anyone else (SPEC §4 firmware,
# docs/firmware.md). Images come from tests/helpers/esp_image.py.

load ../helpers/common
load ../helpers/api

setup_file() {
  api_suite_begin fw
  export VERSION="0.9.$RANDOM$RANDOM"
  local img=$STATION_SRC_DIR/tests/helpers/esp_image.py
  python3 "$img" "$BATS_FILE_TMPDIR/good.bin" --size 20000 --seed 1
  python3 "$img" "$BATS_FILE_TMPDIR/other.bin" --size 20000 --seed 2
  python3 "$img" "$BATS_FILE_TMPDIR/magic.bin" --break magic
  python3 "$img" "$BATS_FILE_TMPDIR/segment.bin" --break segment
  python3 "$img" "$BATS_FILE_TMPDIR/hash.bin" --break hash
  python3 "$img" "$BATS_FILE_TMPDIR/large.bin" --size 4194304
}

teardown_file() {
  psql_exec "DELETE FROM firmwares WHERE version LIKE '0.9.%' AND created_at > now() - interval '1 hour'
             RETURNING file_name" | while read -r f; do rm -f "$STATION_RUN_DIR/firmware/$f"; done || true
  psql_exec "DELETE FROM devices WHERE external_id LIKE '$RUN%'" >/dev/null || true
}

# upload WHO FILE TYPE VERSION [QUERY…]: POST the file as the raw body.
upload() {
  call_as "$1" POST "/api/firmware?deviceType=$3&version=$4${5:-}" \
    -H 'Content-Type: application/octet-stream' --data-binary @"$2"
}

# fetch FILE [curl options…]: GET a download into FILE; sets status_code and headers.
fetch() {
  local out=$1
  shift
  status_code=$(curl -sS -D "$BATS_TEST_TMPDIR/h" -o "$out" -w '%{http_code}' --max-time 30 "$@")
  headers=$(tr -d '\r' <"$BATS_TEST_TMPDIR/h")
}

uploaded_id() {
  upload admin "$BATS_FILE_TMPDIR/good.bin" light "$VERSION" >/dev/null
  psql_exec "SELECT id FROM firmwares WHERE device_type = 'light' AND version = '$VERSION'"
}

@test "a good image is stored as <type>@<version>.bin; the agent's esp32- spelling names the same type" {
  upload admin "$BATS_FILE_TMPDIR/good.bin" esp32-light "$VERSION"
  assert_status 201
  local sum size
  sum=$(sha256sum <"$BATS_FILE_TMPDIR/good.bin" | cut -d' ' -f1)
  size=$(stat -c %s "$BATS_FILE_TMPDIR/good.bin")
  assert_each .deviceType light .version "$VERSION" .fileName "light@$VERSION.bin" .size "$size" \
    .sha256 "$sum" .source upload
  cmp "$BATS_FILE_TMPDIR/good.bin" "$STATION_RUN_DIR/firmware/light@$VERSION.bin"
  [ -z "$(find "$STATION_RUN_DIR/firmware" -name '.upload-*')" ]
}

@test "the same bytes again are the same image (200, either spelling); other bytes are a conflict" {
  local id
  id=$(uploaded_id)
  upload admin "$BATS_FILE_TMPDIR/good.bin" light "$VERSION" "&sha256=sha256:$(sha256sum <"$BATS_FILE_TMPDIR/good.bin" | cut -d' ' -f1)"
  assert_status 200
  assert_json .id "$id"
  upload admin "$BATS_FILE_TMPDIR/good.bin" esp32-light "$VERSION"
  assert_status 200
  assert_json .id "$id"
  upload admin "$BATS_FILE_TMPDIR/other.bin" esp32-light "$VERSION"
  assert_error 409 "version: light $VERSION exists with other bytes"
  cmp "$BATS_FILE_TMPDIR/good.bin" "$STATION_RUN_DIR/firmware/light@$VERSION.bin"
}

@test "what is not an ESP32 app image is refused, naming what is wrong, and nothing is stored" {
  upload admin "$BATS_FILE_TMPDIR/magic.bin" light "$VERSION-a"
  assert_error 400 "image: not an esp32 app image (first byte is not 0xe9)"
  upload admin "$BATS_FILE_TMPDIR/segment.bin" light "$VERSION-b"
  assert_error 400 "image: segment 0 runs past the end of the file"
  upload admin "$BATS_FILE_TMPDIR/hash.bin" light "$VERSION-c"
  assert_error 400 "image: appended sha-256 does not match"
  [ "$(psql_exec "SELECT count(*) FROM firmwares WHERE version LIKE '$VERSION-%'")" = 0 ]
  [ -z "$(find "$STATION_RUN_DIR/firmware" -name '.upload-*' -o -name "light@$VERSION-*")" ]
}

@test "an image over firmware.max_bytes is 413; bad names, a wrong sha256 and a wrong content type are refused" {
  upload admin "$BATS_FILE_TMPDIR/large.bin" light "$VERSION-big"
  assert_error 413 "body: larger than 4194304 bytes"
  upload admin "$BATS_FILE_TMPDIR/good.bin" 'Light!' "$VERSION"
  assert_error 400 "deviceType: must be a device type like light or esp32-light"
  upload admin "$BATS_FILE_TMPDIR/good.bin" light "../x"
  assert_error 400 "version: must be like 0.1.32 (letters, digits and . + _ -)"
  upload admin "$BATS_FILE_TMPDIR/good.bin" light "$VERSION-s" "&sha256=$(printf '0%.0s' {1..64})"
  assert_error 400 "sha256: does not match the uploaded image"
  call_as admin POST "/api/firmware?deviceType=light&version=$VERSION" -H 'Content-Type: text/plain' \
    --data-binary @"$BATS_FILE_TMPDIR/good.bin"
  assert_error 415 "content-type: must be application/octet-stream or multipart/form-data"
  call_as admin POST "/api/firmware?version=$VERSION" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$BATS_FILE_TMPDIR/good.bin"
  assert_error 400 "deviceType: is required"
  upload member "$BATS_FILE_TMPDIR/good.bin" light "$VERSION"
  assert_status 403
}

# form WHO [curl -F arguments…]: POST a multipart/form-data upload.
form() {
  local who=$1
  shift
  call_as "$who" POST /api/firmware "$@"
}

@test "multipart/form-data: the fields and the file part, in any order, stored like a raw upload" {
  local sum
  sum=$(sha256sum <"$BATS_FILE_TMPDIR/other.bin" | cut -d' ' -f1)
  form admin -F deviceType=esp32-light -F "version=$VERSION-m" -F "sha256=sha256:$sum" \
    -F "file=@$BATS_FILE_TMPDIR/other.bin;type=application/octet-stream"
  assert_status 201
  assert_each .deviceType light .version "$VERSION-m" .fileName "light@$VERSION-m.bin" .sha256 "$sum" .source upload
  cmp "$BATS_FILE_TMPDIR/other.bin" "$STATION_RUN_DIR/firmware/light@$VERSION-m.bin"
  # The file first, the fields after it; the same bytes again are the same image.
  form admin -F "file=@$BATS_FILE_TMPDIR/other.bin" -F deviceType=light -F "version=$VERSION-m"
  assert_status 200
  [ -z "$(find "$STATION_RUN_DIR/firmware" -name '.upload-*')" ]
}

@test "multipart/form-data: no file, a missing field, a bad image, a wrong sha256 or boundary are refused" {
  form admin -F deviceType=light -F "version=$VERSION-n"
  assert_error 400 "file: is required"
  form admin -F deviceType=light -F "file=@$BATS_FILE_TMPDIR/good.bin"
  assert_error 400 "version: is required"
  form admin -F deviceType=light -F "version=$VERSION-n" -F "file=@$BATS_FILE_TMPDIR/magic.bin"
  assert_error 400 "image: not an esp32 app image (first byte is not 0xe9)"
  form admin -F deviceType=light -F "version=$VERSION-n" -F "sha256=$(printf '0%.0s' {1..64})" \
    -F "file=@$BATS_FILE_TMPDIR/good.bin"
  assert_error 400 "sha256: does not match the uploaded image"
  form admin -F deviceType=light -F "version=../n" -F "file=@$BATS_FILE_TMPDIR/good.bin"
  assert_error 400 "version: must be like 0.1.32 (letters, digits and . + _ -)"
  form admin -F deviceType=light -F "version=$VERSION-n" -F "file=@$BATS_FILE_TMPDIR/good.bin" \
    -F "file=@$BATS_FILE_TMPDIR/good.bin"
  assert_error 400 "file: one image per upload"
  call_as admin POST /api/firmware -H 'Content-Type: multipart/form-data' --data-binary 'x'
  assert_error 400 "content-type: multipart/form-data needs a boundary (1 to 70 characters)"
  call_as admin POST /api/firmware -H 'Content-Type: multipart/form-data; boundary=XyZ' \
    --data-binary $'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\nabc'
  assert_error 400 "body: the multipart body ends early"
  form admin -F deviceType=light -F "version=$VERSION-big" -F "file=@$BATS_FILE_TMPDIR/large.bin"
  assert_error 413 "body: larger than 4194304 bytes"
  [ "$(psql_exec "SELECT count(*) FROM firmwares WHERE version LIKE '$VERSION-n%' OR version = '$VERSION-big'")" = 0 ]
  [ -z "$(find "$STATION_RUN_DIR/firmware" -name '.upload-*')" ]
  form member -F deviceType=light -F "version=$VERSION-n" -F "file=@$BATS_FILE_TMPDIR/good.bin"
  assert_status 403
}

@test "members list and read images" {
  local id
  id=$(uploaded_id)
  call_as member GET /api/firmware
  assert_status 200
  [ "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .fileName' <<<"$body")" = "light@$VERSION.bin" ]
  call_as member GET "/api/firmware/$id"
  assert_status 200
  assert_json .version "$VERSION"
  call_as member GET "/api/firmware/$(uuid_new)"
  assert_error 404 "firmware not found"
}

@test "a member downloads an image from nginx: its bytes, Content-Length, an ETag that gives 304" {
  local id etag
  id=$(uploaded_id)
  fetch "$BATS_TEST_TMPDIR/got.bin" -H "Authorization: Bearer $(token_for member)" "$STATION_URL/api/firmware/$id/download"
  [ "$status_code" = 200 ]
  cmp "$BATS_FILE_TMPDIR/good.bin" "$BATS_TEST_TMPDIR/got.bin"
  [ "$(header Content-Length)" = "$(stat -c %s "$BATS_FILE_TMPDIR/good.bin")" ]
  [ "$(header Content-Type)" = application/octet-stream ]
  etag=$(header ETag)
  [ -n "$etag" ]
  [ -z "$(header X-Accel-Redirect)" ]
  [ -n "$(header X-Request-Id)" ]
  fetch "$BATS_TEST_TMPDIR/again.bin" -H "Authorization: Bearer $(token_for member)" -H "If-None-Match: $etag" \
    "$STATION_URL/api/firmware/$id/download"
  [ "$status_code" = 304 ]
}

@test "a device downloads with its token, and a range request gets those bytes" {
  local id
  id=$(uploaded_id)
  api_json POST /api/devices "{\"externalId\":\"$RUN-d\",\"name\":\"Fw\",\"type\":\"light\"}" \
    -H "Authorization: Bearer $(token_for admin)"
  assert_status 201
  DEVICE_TOKEN=$(json_field .deviceToken)
  fetch "$BATS_TEST_TMPDIR/got.bin" -H "X-Device-Token: $DEVICE_TOKEN" "$STATION_URL/api/firmware/$id/download"
  [ "$status_code" = 200 ]
  cmp "$BATS_FILE_TMPDIR/good.bin" "$BATS_TEST_TMPDIR/got.bin"
  fetch "$BATS_TEST_TMPDIR/part.bin" -H "X-Device-Token: $DEVICE_TOKEN" -H 'Range: bytes=16-47' \
    "$STATION_URL/api/firmware/$id/download"
  [ "$status_code" = 206 ]
  [ "$(header Content-Range)" = "bytes 16-47/$(stat -c %s "$BATS_FILE_TMPDIR/good.bin")" ]
  cmp "$BATS_TEST_TMPDIR/part.bin" <(tail -c +17 "$BATS_FILE_TMPDIR/good.bin" | head -c 32)
}

@test "nobody else gets the bytes: anonymous is 401, a wrong token 401, the file paths 404" {
  local id
  id=$(uploaded_id)
  call_as anonymous GET "/api/firmware/$id/download"
  assert_error 401
  api GET "/api/firmware/$id/download" -H "X-Device-Token: not-a-token"
  assert_error 401
  call_as agent GET "/api/firmware/$id/download"
  assert_status 403
  api GET "/firmware/light@$VERSION.bin"
  assert_error 404
  api GET "/firmware-files/light@$VERSION.bin"
  assert_error 404
}

@test "deleting an image removes its row and its file" {
  local id
  id=$(uploaded_id)
  call_as admin DELETE "/api/firmware/$id"
  assert_status 204
  [ ! -e "$STATION_RUN_DIR/firmware/light@$VERSION.bin" ]
  call_as member GET "/api/firmware/$id/download"
  assert_error 404 "firmware not found"
  call_as admin DELETE "/api/firmware/$id"
  assert_error 404 "firmware not found"
}
