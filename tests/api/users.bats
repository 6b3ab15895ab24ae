#!/usr/bin/env bats
# users.bats — /api/users against the running stack (SPEC §4 users; docs/members.md): the
# members of the station as User JSON, each with its station role, never a hash; accounts
# that are not members are not shown.
#
# Accounts made here are named users-$RUN-…@example.test and deleted at the end.

load ../helpers/common

setup_file() {
  export RUN="u$(date +%s)$RANDOM"
  ensure_owner >/dev/null
  token_for member >/dev/null
}

teardown_file() {
  psql_exec "DELETE FROM users WHERE email LIKE 'users-$RUN-%'" >/dev/null || true
}

# account NAME USERS_ROLE [STATION_ROLE]: an account, a member with STATION_ROLE unless that
# is "none"; prints its id.
account() {
  psql_exec "WITH u AS (
               INSERT INTO users (email, name, role, password_hash)
               VALUES ('users-$RUN-$1@example.test', '$1', '$2', 'x') RETURNING id),
             m AS (INSERT INTO station_members (station_id, user_id, role)
                   SELECT s.id, u.id, '${3:-$2}' FROM station s, u WHERE '${3:-$2}' <> 'none')
             SELECT id FROM u"
}

@test "GET /api/users lists the members as User JSON with their station role, never a hash" {
  local id
  id=$(account listed member admin)
  call_as member GET /api/users
  assert_status 200
  # the User JSON, exactly
  [ "$(jqc '[.[] | keys] | unique')" = '[["createdAt","email","id","lastLoginAt","name","role","source","updatedAt"]]' ]
  # the station role counts, not users.role
  [ "$(jqc ".[] | select(.id == \"$id\") | [.email, .role, .source]")" = "[\"users-$RUN-listed@example.test\",\"admin\",\"local\"]" ]
  [ "$(jqc "[.[] | select(.email == \"$OWNER_EMAIL\") | .role]")" = '["owner"]' ]
  refute grep -q -i 'hash' <<<"$body"
}

@test "GET /api/users/:id: one member; 404 for an unknown id, a non-UUID and an account that is not a member" {
  local id outsider
  id=$(account single member)
  outsider=$(account outsider member none)
  call_as member GET "/api/users/$id"
  assert_status 200
  assert_json .id "$id"
  assert_json .role member
  assert_json .name single

  call_as member GET "/api/users/$(uuid_new)"
  assert_error 404 'user not found'
  call_as member GET /api/users/not-a-uuid
  assert_error 404
  call_as member GET "/api/users/$outsider"
  assert_error 404 'user not found'
  call_as member GET /api/users
  [ "$(jqc "[.[] | select(.id == \"$outsider\")] | length")" = 0 ]
}

@test "/api/users needs a member" {
  api GET /api/users
  assert_error 401
  call_as agent GET /api/users
  assert_error 403
  api GET "/api/users/$(uuid_new)"
  assert_error 401
}
