#!/usr/bin/env bats
# contract.bats — every JSON response the suites received, held to the API document.
#
# Under `scripts/dev test`, `api` (tests/helpers/common.bash) appends each response to
# $STATION_CONTRACT_LOG; this suite runs last (tests/contract/Makefile.inc) and gives the
# whole log to validate.py with the document nginx serves: the status must be declared
# for the operation and the body must match that status's schema. It prints how many
# responses were checked per module. The fixtures show the validator can fail.

load ../helpers/common

setup_file() {
  curl -fsS --max-time 10 "$STATION_URL/api/openapi.json" -o "$BATS_FILE_TMPDIR/openapi.json"
}

validate() { python3 "$STATION_SRC_DIR/tests/contract/validate.py" "$BATS_FILE_TMPDIR/openapi.json" "$1"; }

@test "every response the suites received keeps the API document" {
  [ -n "${STATION_CONTRACT_LOG:-}" ] && [ -s "$STATION_CONTRACT_LOG" ] ||
    skip "no responses recorded (scripts/dev test sets STATION_CONTRACT_LOG)"
  run validate "$STATION_CONTRACT_LOG"
  printf '# %s\n' "${lines[@]}" >&3 # the counts per module, in the TAP log
  echo "$output"
  [ "$status" -eq 0 ]
}

# validate_fixture NAME STATUS: runs the validator on fixtures/NAME.jsonl, which must exit STATUS.
validate_fixture() {
  run validate "$STATION_SRC_DIR/tests/contract/fixtures/$1.jsonl"
  echo "$output"
  [ "$status" -eq "$2" ]
}

@test "the validator fails on a body that drifts and on an undeclared status, naming both" {
  validate_fixture drift 1
  [[ $output == *"FAILED: 2 responses break the document"* ]]
  [[ $output == *"GET /api/health: GET /api/health: 200 body does not match its schema: at .: 'db' is a required property"* ]]
  [[ $output == *"GET /api/health"*"Additional properties are not allowed ('database' was unexpected)"* ]]
  [[ $output == *"DELETE /api/devices/{id}: DELETE /api/devices/4a0c0a4e-2f7e-4a35-9a53-3f1a1e2b9c11: status 200 is not declared (declared: 204, 401, 403, 404, 415, 500, 503)"* ]]
}

@test "the validator passes declared responses and only reports what is no operation" {
  validate_fixture kept 0
  [[ $output == *"checked 4 responses"* ]]
  [[ $output == *"GET /api/no-such-module → 404 ×1"* ]]
  [[ $output == *"PUT /api/devices → 405 ×1"* ]]
}
