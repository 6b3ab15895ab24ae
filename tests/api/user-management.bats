#!/usr/bin/env bats
# user-management.bats — /api/user-management against the running stack (SPEC §4
# user-management; docs/members.md): members, local accounts, role changes, removal,
# password resets and invites; who may act on whom; the last owner, also when two owners
# demote each other at the same moment; a removed member's token and WebSocket dying at
# once; reset-password ending the sessions; invites in the cloud outbox surviving a
# restart of the whole stack.
#
# Accounts made here are named um-$RUN-…@example.test with the password $PASSWORD (bcrypt
# cost 4, written by SQL) and deleted at the end. A test that needs a given set of owners
# makes the other owners admins for its duration (owners_only); teardown gives them their
# role back, and starts again whatever a test stopped. Error messages are asserted exactly.

load ../helpers/common
load ../helpers/ws

PASSWORD='um-bats-password-1'
UM=/api/user-management

setup_file() {
  export RUN="um$(date +%s)$RANDOM"
  ensure_owner >/dev/null
  token_for admin >/dev/null
  token_for member >/dev/null
  bcrypt_hash "$PASSWORD" 4 >"$BATS_FILE_TMPDIR/hash"
  ws_setup
}

setup() {
  psql_exec "DELETE FROM sign_in_failures" >/dev/null
}

teardown() {
  bg_reap
  db_restart_if_stopped
  restore_owners
  local m
  for m in user-management users; do
    stack_daemon_running "api-$m" || stack_worker_start "$m"
  done
  stack_daemon_running station-mqttd || stack_daemon_start station-mqttd 'broker connected'
  stack_daemon_running station-wsd || stack_daemon_start station-wsd 'listening on station_events'
}

teardown_file() {
  psql_exec "DELETE FROM users WHERE email LIKE 'um-$RUN-%'" >/dev/null || true
  psql_exec "DELETE FROM cloud_outbox WHERE payload->>'email' LIKE 'um-$RUN-%'" >/dev/null || true
}

# ---- helpers ----

email_of() { echo "um-$RUN-$1@example.test"; }

# account NAME ROLE [SOURCE]: an account with $PASSWORD, a member with ROLE; prints its id.
account() {
  psql_exec "WITH u AS (
               INSERT INTO users (email, name, role, source, password_hash)
               VALUES ('$(email_of "$1")', '$1', '$2', '${3:-local}', '$(cat "$BATS_FILE_TMPDIR/hash")')
               RETURNING id, role),
             m AS (INSERT INTO station_members (station_id, user_id, role) SELECT s.id, u.id, u.role FROM station s, u)
             SELECT id FROM u"
}

id_of() { psql_exec "SELECT id FROM users WHERE lower(email) = lower($(sql_literal "$1"))"; }

# sign_in NAME: logs the account in; sets ACCESS and REFRESH.
sign_in() {
  api_json POST /api/auth/login "$(jq -cn --arg e "$(email_of "$1")" --arg p "${2:-$PASSWORD}" '{email: $e, password: $p}')"
  assert_status 200
  ACCESS=$(json_field .accessToken)
  REFRESH=$(json_field .refreshToken)
}

# as TOKEN METHOD PATH [JSON]: a request with that access token.
as() {
  local token=$1 method=$2 path=$3
  if [ $# -ge 4 ]; then
    api_json "$method" "$path" "$4" -H "Authorization: Bearer $token"
  else
    api "$method" "$path" -H "Authorization: Bearer $token"
  fi
}

# owners_only ID…: these are the station's only owners until restore_owners (teardown);
# the other owners are admins meanwhile.
owners_only() {
  local ids
  ids=$(printf "'%s'," "$@")
  ids=${ids%,}
  psql_exec "UPDATE station_members SET role = 'owner' WHERE user_id IN ($ids)" >/dev/null
  psql_exec "SELECT user_id FROM station_members WHERE role = 'owner' AND user_id NOT IN ($ids)" \
    >>"$BATS_TEST_TMPDIR/demoted"
  psql_exec "UPDATE station_members SET role = 'admin' WHERE role = 'owner' AND user_id NOT IN ($ids)" >/dev/null
}
restore_owners() {
  local id
  [ -s "$BATS_TEST_TMPDIR/demoted" ] || return 0
  while read -r id; do
    psql_exec "UPDATE station_members SET role = 'owner' WHERE user_id = '$id'" >/dev/null
  done <"$BATS_TEST_TMPDIR/demoted"
  rm -f "$BATS_TEST_TMPDIR/demoted"
}

# patch_member WHO USER_ID JSON: PATCH /members/USER_ID with that body, as WHO (call_as).
patch_member() {
  call_as "$1" PATCH "$UM/members/$2" -H 'Content-Type: application/json' --data-binary "$3"
}

owner_count() { psql_exec "SELECT count(*) FROM station_members WHERE role = 'owner'"; }

# ---- members ----

@test "GET /members: every member as User JSON with the station role and joinedAt, for admins" {
  local id
  id=$(account listed member)
  call_as admin GET $UM/members
  assert_status 200
  [ "$(jqc "[.[] | select(.id == \"$id\")] | .[0] | keys")" = \
    '["createdAt","email","id","joinedAt","lastLoginAt","name","role","source","updatedAt"]' ]
  [ "$(jqc ".[] | select(.id == \"$id\") | [.email, .role, .source]")" = "[\"$(email_of listed)\",\"member\",\"local\"]" ]
  [ "$(jqc "[.[] | select(.email == \"$OWNER_EMAIL\") | .role]")" = '["owner"]' ]
  refute grep -q -i hash <<<"$body"

  call_as member GET $UM/members
  assert_error 403
}

# ---- creating local accounts ----

@test "POST /users: a local account the new member signs in with; the email is stored lower-cased" {
  local email
  email=$(email_of created)
  call_as owner POST $UM/users -H 'Content-Type: application/json' \
    --data-binary "{\"email\":\"${email^^}\",\"name\":\"Created\",\"password\":\"created-pass-1\",\"role\":\"admin\"}"
  assert_status 201
  [ "$(jqc keys)" = '["createdAt","email","id","lastLoginAt","name","role","source","updatedAt"]' ]
  [ "$(jqc '[.email, .name, .role, .source, .lastLoginAt]')" = "[\"$email\",\"Created\",\"admin\",\"local\",null]" ]
  local id
  id=$(json_field .id)
  [ "$(psql_exec "SELECT role FROM station_members WHERE user_id = '$id'")" = admin ]

  login "$email" created-pass-1 >/dev/null
  call_as member GET "/api/users/$id"
  assert_status 200
  assert_json .role admin
}

@test "POST /users: 409 for an email already registered, in any case" {
  account taken member >/dev/null
  local upper
  upper=$(email_of taken)
  call_as admin POST $UM/users -H 'Content-Type: application/json' \
    --data-binary "{\"email\":\"${upper^^}\",\"password\":\"some-pass-1\",\"role\":\"member\"}"
  assert_error 409 'email: already registered'
}

@test "POST /users: each invalid field is named" {
  local ok_email
  ok_email=$(email_of invalid)
  refusals() {
    while [ $# -ge 2 ]; do
      call_as owner POST $UM/users -H 'Content-Type: application/json' --data-binary "$2"
      assert_error 400 "$1" || return 1
      shift 2
    done
  }
  refusals \
    'email: is required' '{"password":"some-pass-1","role":"member"}' \
    'email: must be a valid email' '{"email":"nobody","password":"some-pass-1","role":"member"}' \
    'password: is required' "{\"email\":\"$ok_email\",\"role\":\"member\"}" \
    'password: must be at least 8 characters' "{\"email\":\"$ok_email\",\"password\":\"short\",\"role\":\"member\"}" \
    'role: is required' "{\"email\":\"$ok_email\",\"password\":\"some-pass-1\"}" \
    'role: must be one of owner, admin, member' "{\"email\":\"$ok_email\",\"password\":\"some-pass-1\",\"role\":\"boss\"}" \
    'name: must be a string' "{\"email\":\"$ok_email\",\"password\":\"some-pass-1\",\"role\":\"member\",\"name\":1}"
  [ -z "$(id_of "$ok_email")" ]
}

@test "POST /users: an admin creates members only; an owner creates admins and owners" {
  local role
  for role in admin owner; do
    call_as admin POST $UM/users -H 'Content-Type: application/json' \
      --data-binary "{\"email\":\"$(email_of "by-admin-$role")\",\"password\":\"some-pass-1\",\"role\":\"$role\"}"
    assert_error 403 'role: only an owner may make admins or owners'
  done
  call_as admin POST $UM/users -H 'Content-Type: application/json' \
    --data-binary "{\"email\":\"$(email_of by-admin-member)\",\"password\":\"some-pass-1\",\"role\":\"member\"}"
  assert_status 201
  call_as owner POST $UM/users -H 'Content-Type: application/json' \
    --data-binary "{\"email\":\"$(email_of by-owner-owner)\",\"password\":\"some-pass-1\",\"role\":\"owner\"}"
  assert_status 201
  assert_json .role owner
  call_as member POST $UM/users -H 'Content-Type: application/json' \
    --data-binary "{\"email\":\"$(email_of by-member)\",\"password\":\"some-pass-1\",\"role\":\"member\"}"
  assert_error 403
}

# ---- role changes ----

@test "PATCH /members/:userId: an owner promotes and demotes; the new role authorizes at once" {
  local id
  id=$(account promoted member)
  sign_in promoted
  as "$ACCESS" GET $UM/members
  assert_error 403

  patch_member owner "$id" '{"role":"admin"}'
  assert_status 200
  [ "$(jqc '[.id, .role] ')" = "[\"$id\",\"admin\"]" ]
  assert_json '.joinedAt | type' string
  as "$ACCESS" GET $UM/members
  assert_status 200
  # the account's role follows the station role
  as "$ACCESS" GET /api/auth/me
  assert_json .role admin

  patch_member owner "$id" '{"role":"member"}'
  assert_status 200
  assert_json .role member
  as "$ACCESS" GET $UM/members
  assert_error 403
}

@test "PATCH /members/:userId: an admin changes members only, and makes no admins or owners" {
  local member admin owner
  member=$(account plain member)
  admin=$(account other-admin admin)
  owner=$(account other-owner owner)
  patch_member admin "$member" '{"role":"admin"}'
  assert_error 403 'role: only an owner may make admins or owners'
  patch_member admin "$member" '{"role":"owner"}'
  assert_error 403 'role: only an owner may make admins or owners'
  patch_member admin "$admin" '{"role":"member"}'
  assert_error 403 'role: only an owner may change the role of an admin or owner'
  patch_member admin "$owner" '{"role":"member"}'
  assert_error 403 'role: only an owner may change the role of an admin or owner'
  [ "$(psql_exec "SELECT string_agg(role, ',' ORDER BY role) FROM station_members
                  WHERE user_id IN ('$member', '$admin', '$owner')")" = admin,member,owner ]
  patch_member admin "$member" '{"role":"member"}'
  assert_status 200
  patch_member owner "$owner" '{"role":"admin"}'
  assert_status 200
  assert_json .role admin
}

@test "PATCH /members/:userId: 404 for an unknown member; each invalid body is named" {
  patch_member owner "$(uuid_new)" '{"role":"member"}'
  assert_error 404 'member not found'
  patch_member owner "not-a-uuid" '{"role":"member"}'
  assert_error 404
  local id
  id=$(account patch-invalid member)
  patch_member owner "$id" '{}'
  assert_error 400 'role: is required'
  patch_member owner "$id" '{"role":"boss"}'
  assert_error 400 'role: must be one of owner, admin, member'
  patch_member owner "$id" '{"role":null}'
  assert_error 400
}

# ---- the last owner ----

@test "the last owner can neither be demoted nor removed; with a second owner, it can" {
  local main second
  main=$(id_of "$OWNER_EMAIL")
  owners_only "$main"
  [ "$(owner_count)" = 1 ]
  patch_member owner "$main" '{"role":"admin"}'
  assert_error 409 'role: the last owner cannot be demoted'
  call_as owner DELETE "$UM/members/$main"
  assert_error 409 'the last owner cannot be removed'
  patch_member owner "$main" '{"role":"owner"}'
  assert_status 200
  [ "$(owner_count)" = 1 ]

  # The database refuses it too, whoever writes.
  refute psql_exec "UPDATE station_members SET role = 'admin' WHERE user_id = '$main'" 2>/dev/null
  refute psql_exec "DELETE FROM station_members WHERE user_id = '$main'" 2>/dev/null
  [ "$(owner_count)" = 1 ]

  second=$(account second-owner owner)
  sign_in second-owner
  as "$ACCESS" PATCH "$UM/members/$main" '{"role":"admin"}'
  assert_status 200
  patch_member owner "$second" '{"role":"member"}'
  assert_error 403 # no longer an owner: the demotion acted at once
  as "$ACCESS" PATCH "$UM/members/$second" '{"role":"member"}'
  assert_error 409 'role: the last owner cannot be demoted'
  [ "$(owner_count)" = 1 ]
  as "$ACCESS" PATCH "$UM/members/$main" '{"role":"owner"}'
  assert_status 200
}

@test "two owners demoting each other at the same moment: one wins, an owner always remains (30 rounds)" {
  local a b token_a token_b round statuses
  a=$(account race-a owner)
  b=$(account race-b owner)
  sign_in race-a
  token_a=$ACCESS
  sign_in race-b
  token_b=$ACCESS
  owners_only "$a" "$b"
  for round in $(seq 30); do
    curl -sS -o /dev/null -w '%{http_code}' --max-time 30 -X PATCH "$STATION_URL$UM/members/$b" \
      -H "Authorization: Bearer $token_a" -H 'Content-Type: application/json' --data-binary '{"role":"member"}' \
      >"$BATS_TEST_TMPDIR/a" &
    local pa=$!
    curl -sS -o /dev/null -w '%{http_code}' --max-time 30 -X PATCH "$STATION_URL$UM/members/$a" \
      -H "Authorization: Bearer $token_b" -H 'Content-Type: application/json' --data-binary '{"role":"member"}' \
      >"$BATS_TEST_TMPDIR/b" &
    local pb=$!
    wait "$pa" "$pb"
    statuses=$(printf '%s\n%s\n' "$(cat "$BATS_TEST_TMPDIR/a")" "$(cat "$BATS_TEST_TMPDIR/b")" | sort | tr '\n' ' ')
    [ "$(owner_count)" = 1 ] || { echo "round $round: $(owner_count) owners left ($statuses)" >&2; return 1; }
    # The winner demoted the other; the loser was refused (409: the last owner, or 403:
    # already demoted when its request was authorized).
    [[ "$statuses" == "200 403 " || "$statuses" == "200 409 " ]] || {
      echo "round $round: statuses $statuses" >&2
      return 1
    }
    psql_exec "UPDATE station_members SET role = 'owner' WHERE user_id IN ('$a', '$b')" >/dev/null
  done
}

# ---- removal ----

@test "DELETE /members/:userId: the removed member's token and WebSocket die at once; others hear user.removed" {
  local id email other
  id=$(account removed member)
  email=$(email_of removed)
  sign_in removed
  ws_bg gone --token "$ACCESS" --timeout 20
  ws_bg other --token "$(token_for member)" --timeout 20
  as "$ACCESS" GET /api/auth/me
  assert_status 200

  call_as admin DELETE "$UM/members/$id"
  assert_status 204

  poll 5 got gone '.event == "close"'
  [ "$(jq -c 'select(.event) | [.code, .reason]' "$BATS_TEST_TMPDIR/gone.out")" = '[1008,"removed from the station"]' ]
  poll 5 got other ".type == \"user.removed\" and .data.userId == \"$id\""
  refute got other '.event == "close"'

  as "$ACCESS" GET /api/users
  assert_error 401 'session is no longer valid'
  api_json POST /api/auth/refresh "{\"refreshToken\":\"$REFRESH\"}"
  assert_error 401
  # A local account goes with its membership, so the email can be added again.
  [ -z "$(id_of "$email")" ]
  call_as admin POST $UM/users -H 'Content-Type: application/json' \
    --data-binary "{\"email\":\"$email\",\"password\":\"some-pass-1\",\"role\":\"member\"}"
  assert_status 201
}

@test "DELETE /members/:userId: a cloud account stays (cloud-sync's), its sessions are revoked" {
  local id
  id=$(account cloudy member cloud)
  sign_in cloudy
  call_as owner DELETE "$UM/members/$id"
  assert_status 204
  [ "$(psql_exec "SELECT source FROM users WHERE id = '$id'")" = cloud ]
  [ "$(psql_exec "SELECT count(*) FROM station_members WHERE user_id = '$id'")" = 0 ]
  [ "$(psql_exec "SELECT count(*) FROM refresh_tokens WHERE user_id = '$id' AND revoked_at IS NULL")" = 0 ]
  as "$ACCESS" GET /api/auth/me
  assert_error 401 'session is no longer valid'
  call_as member GET "/api/users/$id"
  assert_error 404 'user not found'
}

@test "DELETE /members/:userId: an admin removes members only; an owner removes admins; 404 for strangers" {
  local admin owner
  admin=$(account removable-admin admin)
  owner=$(account removable-owner owner)
  call_as admin DELETE "$UM/members/$admin"
  assert_error 403 'only an owner may remove an admin or owner'
  call_as admin DELETE "$UM/members/$owner"
  assert_error 403 'only an owner may remove an admin or owner'
  call_as owner DELETE "$UM/members/$admin"
  assert_status 204
  call_as owner DELETE "$UM/members/$owner"
  assert_status 204
  call_as owner DELETE "$UM/members/$admin"
  assert_error 404 'member not found'
  call_as owner DELETE "$UM/members/$(uuid_new)"
  assert_error 404 'member not found'
  call_as member DELETE "$UM/members/$(uuid_new)"
  assert_error 403
}

# ---- password resets ----

@test "reset-password: the new password works, the old one and every session of the user do not" {
  local id
  id=$(account reset member)
  sign_in reset
  call_as admin POST "$UM/members/$id/reset-password" -H 'Content-Type: application/json' \
    --data-binary '{"newPassword":"brand-new-pass-1"}'
  assert_status 204
  as "$ACCESS" GET /api/auth/me
  assert_error 401 'session is no longer valid'
  api_json POST /api/auth/refresh "{\"refreshToken\":\"$REFRESH\"}"
  assert_error 401
  api_json POST /api/auth/login "{\"email\":\"$(email_of reset)\",\"password\":\"$PASSWORD\"}"
  assert_error 401 'invalid email or password'
  sign_in reset brand-new-pass-1
  as "$ACCESS" GET /api/auth/me
  assert_status 200
}

@test "reset-password: an admin resets members only; cloud accounts are the cloud's; 404; invalid bodies" {
  local admin cloud member
  admin=$(account reset-admin admin)
  cloud=$(account reset-cloud member cloud)
  member=$(account reset-member member)
  call_as admin POST "$UM/members/$admin/reset-password" -H 'Content-Type: application/json' \
    --data-binary '{"newPassword":"brand-new-pass-1"}'
  assert_error 403 'only an owner may reset the password of an admin or owner'
  call_as owner POST "$UM/members/$admin/reset-password" -H 'Content-Type: application/json' \
    --data-binary '{"newPassword":"brand-new-pass-1"}'
  assert_status 204
  call_as owner POST "$UM/members/$cloud/reset-password" -H 'Content-Type: application/json' \
    --data-binary '{"newPassword":"brand-new-pass-1"}'
  assert_error 403 'newPassword: managed by the cloud for this account'
  call_as owner POST "$UM/members/$(uuid_new)/reset-password" -H 'Content-Type: application/json' \
    --data-binary '{"newPassword":"brand-new-pass-1"}'
  assert_error 404 'member not found'
  call_as owner POST "$UM/members/$member/reset-password" -H 'Content-Type: application/json' \
    --data-binary '{"newPassword":"short"}'
  assert_error 400 'newPassword: must be at least 8 characters'
  call_as owner POST "$UM/members/$member/reset-password" -H 'Content-Type: application/json' --data-binary '{}'
  assert_error 400 'newPassword: is required'
}

# ---- invites ----

@test "POST /invites: 202, queued in the cloud outbox with a NOTIFY for cloudd; GET /invites shows its state" {
  local email id
  email=$(email_of invited)
  # A listener on cloud_outbox, as cloudd will be.
  (
    echo 'LISTEN cloud_outbox;'
    for _ in $(seq 150); do echo 'SELECT pg_sleep(0.1);'; done
  ) | PGAPPNAME=bats-outbox-listener $STATION_PSQL -X -q -At >"$BATS_TEST_TMPDIR/listen.out" 2>&1 3>&- &
  bg_track $!
  poll 10 eval "[ \"\$(psql_exec \"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'bats-outbox-listener' AND query LIKE 'SELECT pg_sleep%'\")\" = 1 ]"

  call_as owner POST $UM/invites -H 'Content-Type: application/json' --data-binary "{\"email\":\"${email^^}\",\"role\":\"admin\"}"
  assert_status 202
  [ "$(jqc keys)" = '["attempts","createdAt","email","id","invitedBy","lastError","role","sentAt","state"]' ]
  [ "$(jqc '[.email, .role, .state, .attempts, .lastError, .sentAt]')" = "[\"$email\",\"admin\",\"queued\",0,null,null]" ]
  assert_json .invitedBy "$(id_of "$OWNER_EMAIL")"
  id=$(json_field .id)
  [ "$(psql_exec "SELECT kind, state, payload->>'email' FROM cloud_outbox WHERE id = '$id'")" = "invite|queued|$email" ]
  poll 10 grep -q "\"cloud_outbox\" with payload \"$id\"" "$BATS_TEST_TMPDIR/listen.out"

  call_as admin GET $UM/invites
  assert_status 200
  [ "$(jqc ".[] | select(.id == \"$id\") | [.email, .state]")" = "[\"$email\",\"queued\"]" ]
  call_as member GET $UM/invites
  assert_error 403
}

@test "POST /invites: an admin invites members only; members are not invited again; invalid bodies" {
  call_as admin POST $UM/invites -H 'Content-Type: application/json' \
    --data-binary "{\"email\":\"$(email_of invite-admin)\",\"role\":\"admin\"}"
  assert_error 403 'role: only an owner may make admins or owners'
  call_as admin POST $UM/invites -H 'Content-Type: application/json' \
    --data-binary "{\"email\":\"$(email_of invite-member)\",\"role\":\"member\"}"
  assert_status 202
  account already member >/dev/null
  local upper
  upper=$(email_of already)
  call_as owner POST $UM/invites -H 'Content-Type: application/json' --data-binary "{\"email\":\"${upper^^}\",\"role\":\"member\"}"
  assert_error 409 'email: already a member'
  call_as owner POST $UM/invites -H 'Content-Type: application/json' --data-binary '{"email":"nobody","role":"member"}'
  assert_error 400 'email: must be a valid email'
  call_as owner POST $UM/invites -H 'Content-Type: application/json' --data-binary "{\"email\":\"$(email_of x)\"}"
  assert_error 400 'role: is required'
}

@test "an invite queued while offline survives a restart of everything" {
  local id m
  call_as owner POST $UM/invites -H 'Content-Type: application/json' \
    --data-binary "{\"email\":\"$(email_of restart)\",\"role\":\"member\"}"
  assert_status 202
  id=$(json_field .id)

  for m in user-management users; do stack_daemon_stop "api-$m"; done
  stack_daemon_stop station-mqttd
  stack_daemon_stop station-wsd
  "$STATION_SRC_DIR/scripts/dev" db stop

  "$STATION_SRC_DIR/scripts/dev" db start 3>&-
  stack_daemon_start station-mqttd 'broker connected'
  stack_daemon_start station-wsd 'listening on station_events'
  for m in user-management users; do stack_worker_start "$m"; done

  call_as owner GET $UM/invites
  assert_status 200
  [ "$(jqc ".[] | select(.id == \"$id\") | [.email, .state, .attempts]")" = "[\"$(email_of restart)\",\"queued\",0]" ]
  [ "$(psql_exec "SELECT state FROM cloud_outbox WHERE id = '$id'")" = queued ]
}
