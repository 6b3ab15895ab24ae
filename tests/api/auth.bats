#!/usr/bin/env bats
# auth.bats — /api/auth against the running stack (SPEC §3, §4 auth; docs/auth.md):
# registration once, login with cookies, the sign-in throttle (per source and account),
# refresh rotation and reuse detection, logout, sessions and their absolute lifetime,
# change-password, the access-token checks of the runtime (expired, tampered, alg none,
# HS512, trailing bytes, and the session and membership behind every token: each
# revocation ends access at once) and its CSRF guard.
#
# Every account made here is named auth-$RUN-…@example.test, has the password $PASSWORD
# (bcrypt cost 4, written by SQL), is a member of the station with its role, and is
# deleted at the end; the owner is never used to fail a login. Failed sign-ins are
# forgotten before each test (all come from this machine). Error messages are asserted
# exactly.

load ../helpers/common
load ../helpers/api

PASSWORD='bats-password-1'

setup_file() {
  export RUN="r$(date +%s)$RANDOM"
}

setup() {
  psql_exec "DELETE FROM sign_in_failures" >/dev/null
}

teardown_file() {
  psql_exec "DELETE FROM users WHERE email LIKE 'auth-$RUN-%'" >/dev/null || true
}

# ---- helpers ----

email_of() {
  echo "auth-$RUN-$1@example.test"
}

# password_hash_for PASSWORD SCHEME: a libxcrypt hash ("2b" bcrypt cost 4, "2y" the same
# with the prefix the Cloud uses, "y" yescrypt).
password_hash_for() {
  python3 - "$1" "$2" <<'PY'
import ctypes, sys
c = ctypes.CDLL("libcrypt.so.1")
c.crypt_gensalt.restype = ctypes.c_char_p
c.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
c.crypt.restype = ctypes.c_char_p
c.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
password, scheme = sys.argv[1].encode(), sys.argv[2]
prefix, cost = (b"$y$", 0) if scheme == "y" else (b"$2b$", 4)
h = c.crypt(password, c.crypt_gensalt(prefix, cost, None, 0)).decode()
print(h.replace("$2b$", "$2y$", 1) if scheme == "2y" else h)
PY
}

# new_user NAME [ROLE] [SOURCE] [SCHEME]: an account with $PASSWORD, a member of the
# station with ROLE; prints its id.
new_user() {
  local hash
  hash=$(password_hash_for "$PASSWORD" "${4:-2b}")
  psql_exec "WITH u AS (
               INSERT INTO users (email, name, role, source, password_hash)
               VALUES ('$(email_of "$1")', '$1', '${2:-member}', '${3:-local}', '$hash') RETURNING id, role),
             m AS (INSERT INTO station_members (station_id, user_id, role) SELECT s.id, u.id, u.role FROM station s, u)
             SELECT id FROM u"
}

# failures_of SOURCE ACCOUNT: "failures|locked" of a sign_in_failures row ('' for none).
failures_of() {
  psql_exec "SELECT failures, locked_until > now() FROM sign_in_failures
             WHERE source = '$1'::cidr AND account = lower('$2')"
}

# try_login_with JSON [curl args]: POST /api/auth/login, waiting out nginx's own rate limit
# (SPEC §3 limit_req; its 429 says "too many requests…"), never the account lock.
try_login_with() {
  local json=$1 tries=0
  shift
  while :; do
    api_json POST /api/auth/login "$json" "$@"
    [ "$status_code" = 429 ] && [ "$(json_field .message)" = "too many requests, try again later" ] \
      && [ $((tries += 1)) -lt 60 ] || break
    sleep 1
  done
}

# try_login EMAIL PASSWORD [curl args]: the attempt, whatever its answer, in $status_code/$body.
try_login() {
  local email=$1 password=$2
  shift 2
  try_login_with "{\"email\":\"$email\",\"password\":\"$password\"}" "$@"
}

# session_for NAME [user agent]: logs NAME in; sets ACCESS, REFRESH and SID (the family id).
session_for() {
  try_login "$(email_of "$1")" "$PASSWORD" -A "${2:-bats-auth}"
  assert_status 200
  ACCESS=$(json_field .accessToken)
  REFRESH=$(json_field .refreshToken)
  SID=$(jwt_claim "$ACCESS" sid)
}

# The value a Set-Cookie header of the last response gives NAME ("" when cleared).
cookie_value() {
  grep -i "^set-cookie: $1=" <<<"$headers" | head -1 | sed -E "s/^[^=]*=([^;]*).*/\1/" | tr -d '\r'
}

cookie_line() {
  grep -i "^set-cookie: $1=" <<<"$headers" | head -1 | tr -d '\r'
}

jwt_claim() {
  python3 - "$1" "$2" <<'PY'
import base64, json, sys
part = sys.argv[1].split(".")[1]
print(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))[sys.argv[2]])
PY
}

jwt_secret_file() {
  local f
  for f in "${STATION_AUTH_JWT_SECRET_FILE:-}" "${STATION_RUN_DIR:-}/secrets/jwt_secret" \
           "${STATION_RUN_DIR:-}/jwt_secret"; do
    [ -n "$f" ] && [ -r "$f" ] && { echo "$f"; return; }
  done
  echo "cannot find the JWT secret file" >&2
  return 1
}

# jwt_craft ALG PAYLOAD [HEADER]: a token signed (HS256/HS512) with the station's real secret,
# or with no signature at all for alg "none".
jwt_craft() {
  python3 - "$(jwt_secret_file)" "$@" <<'PY'
import base64, hashlib, hmac, json, sys
secret = open(sys.argv[1]).readline().strip().encode()
alg, payload = sys.argv[2], sys.argv[3]
header = sys.argv[4] if len(sys.argv) > 4 else json.dumps({"alg": alg, "typ": "JWT"})
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
signing = b64(header.encode()) + "." + b64(payload.encode())
digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}.get(alg)
print(signing + "." + (b64(hmac.new(secret, signing.encode(), digest).digest()) if digest else ""))
PY
}

# claims USER_ID ROLE IAT EXP [SID]
claims() {
  printf '{"sub":"%s","userId":"%s","role":"%s","sid":"%s","iat":%s,"exp":%s}' "$1" "$1" "$2" "${5:-}" "$3" "$4"
}

me_with() {
  api GET /api/auth/me -H "Authorization: Bearer $1"
}

# refresh_with TOKEN [curl args]: POST /api/auth/refresh with TOKEN in the body.
refresh_with() {
  api_json POST /api/auth/refresh "{\"refreshToken\":\"$1\"}" "${@:2}"
}

live_tokens_of_family() {
  psql_exec "SELECT count(*) FROM refresh_tokens WHERE family_id = '$1' AND revoked_at IS NULL"
}

# ---- registration ----

@test "registration-status tells whether registration is open and whether an admin exists" {
  api GET /api/auth/registration-status
  assert_status 200
  [ "$(jq -c 'keys' <<<"$body")" = '["hasAdmin","isRegistrationOpen"]' ]
  local users admins
  users=$(psql_exec "SELECT count(*) FROM users")
  admins=$(psql_exec "SELECT count(*) FROM users WHERE role IN ('owner', 'admin')")
  assert_json .isRegistrationOpen "$([ "$users" = 0 ] && echo true || echo false)"
  assert_json .hasAdmin "$([ "$admins" = 0 ] && echo false || echo true)"
}

@test "register makes the first user the owner with a session, then answers 403" {
  api GET /api/auth/registration-status
  if [ "$(json_field .isRegistrationOpen)" = true ]; then
    # A fresh stack: register the very owner ensure_owner would have registered.
    api_json POST /api/auth/register "$(jq -cn --arg e "$OWNER_EMAIL" --arg p "$TEST_PASSWORD" \
      '{email: $e, password: $p, name: "Test Owner"}')"
    assert_status 201
    [ "$(jq -c '.user | keys' <<<"$body")" = '["createdAt","email","id","lastLoginAt","name","role","source","updatedAt"]' ]
    assert_json .user.role owner
    assert_json .user.source local
    assert_json .user.email "$(tr 'A-Z' 'a-z' <<<"$OWNER_EMAIL")"
    [ -n "$(json_field .accessToken)" ]
    [ -n "$(json_field .refreshToken)" ]
    [ -n "$(cookie_value access_token)" ]
    [ -n "$(cookie_value refresh_token)" ]
    local id
    id=$(json_field .user.id)
    [ "$(psql_exec "SELECT role FROM station_members WHERE user_id = '$id'")" = owner ]
  else
    echo "# registration was already closed: only the refusal is checked" >&3
  fi
  api_json POST /api/auth/register "{\"email\":\"$(email_of late)\",\"password\":\"$PASSWORD\"}"
  assert_status 403
  [ "$body" = '{"statusCode":403,"error":"Forbidden","message":"registration is closed"}' ]
  [ "$(psql_exec "SELECT count(*) FROM users WHERE email = '$(email_of late)'")" = 0 ]
  # the owner is a member of the station
  [ "$(psql_exec "SELECT count(*) FROM station_members m JOIN users u ON u.id = m.user_id
                  WHERE u.role = 'owner' AND m.role = 'owner'")" -ge 1 ]
}

@test "register validates its body before anything else" {
  refusals anonymous POST /api/auth/register \
    400 'email: must be a valid email' '{"email":"not-an-email","password":"long enough"}' \
    400 'password: must be at least 8 characters' "{\"email\":\"$(email_of v)\",\"password\":\"short\"}" \
    400 'password: is required' "{\"email\":\"$(email_of v)\"}" \
    400 'name: must be at most 100 characters' "{\"email\":\"$(email_of v)\",\"password\":\"$PASSWORD\",\"name\":\"$(printf 'n%.0s' {1..101})\"}"
}

# ---- login ----

@test "login returns the user, a token pair and both cookies; the hash never leaves" {
  new_user alice admin >/dev/null
  try_login "$(email_of alice)" "$PASSWORD"
  assert_status 200
  [ "$(jq -c 'keys' <<<"$body")" = '["accessToken","expiresIn","refreshToken","user"]' ]
  [ "$(jq -c '.user | keys' <<<"$body")" = '["createdAt","email","id","lastLoginAt","name","role","source","updatedAt"]' ]
  assert_json .user.email "$(email_of alice)"
  assert_json .user.role admin
  assert_json .user.source local
  [[ "$(json_field .user.lastLoginAt)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$ ]]
  assert_json '.expiresIn | type' number
  assert_json .expiresIn 900
  [[ "$(json_field .refreshToken)" =~ ^[A-Za-z0-9_-]{43}$ ]]
  [[ "$body" != *assword* && "$body" != *'$2'* ]]
  # cookies: the same tokens, HttpOnly, SameSite=Strict, the paths of SPEC §3
  [ "$(cookie_value access_token)" = "$(json_field .accessToken)" ]
  [ "$(cookie_value refresh_token)" = "$(json_field .refreshToken)" ]
  [[ "$(cookie_line access_token)" == *"; Path=/;"* ]]
  [[ "$(cookie_line access_token)" == *"HttpOnly"* ]]
  [[ "$(cookie_line access_token)" == *"SameSite=Strict"* ]]
  [[ "$(cookie_line refresh_token)" == *"; Path=/api/auth;"* ]]
  [[ "$(cookie_line refresh_token)" == *"HttpOnly"* ]]
  [[ "$(cookie_line refresh_token)" == *"SameSite=Strict"* ]]
  # the access token's claims
  local token id
  token=$(json_field .accessToken)
  id=$(json_field .user.id)
  [ "$(jwt_claim "$token" sub)" = "$id" ]
  [ "$(jwt_claim "$token" userId)" = "$id" ]
  [ "$(jwt_claim "$token" role)" = admin ]
  [ $(($(jwt_claim "$token" exp) - $(jwt_claim "$token" iat))) = 900 ]
  # the refresh token is stored only as its SHA-256, in the family the access token names
  local refresh
  refresh=$(json_field .refreshToken)
  [ "$(psql_exec "SELECT family_id FROM refresh_tokens WHERE token_hash = '$(sha256 "$refresh")'")" = "$(jwt_claim "$token" sid)" ]
  [ "$(psql_exec "SELECT count(*) FROM refresh_tokens WHERE token_hash = '$refresh'")" = 0 ]
}

@test "login ignores the case of the email" {
  new_user bob >/dev/null
  try_login "$(email_of bob | tr 'a-z' 'A-Z')" "$PASSWORD"
  assert_status 200
  assert_json .user.email "$(email_of bob)"
}

@test "a cookie alone authenticates GET /api/auth/me" {
  new_user carol >/dev/null
  session_for carol
  api GET /api/auth/me -H "Cookie: access_token=$ACCESS"
  assert_status 200
  [ "$(jq -c 'keys' <<<"$body")" = '["createdAt","email","id","lastLoginAt","name","role","source","updatedAt"]' ]
  assert_json .email "$(email_of carol)"
  assert_json .role member
  [[ "$body" != *assword* ]]
}

@test "unknown email and wrong password get the same 401" {
  new_user dave >/dev/null
  try_login "$(email_of dave)" 'wrong-password'
  assert_status 401
  local wrong=$body
  try_login "$(email_of nobody)" "$PASSWORD"
  assert_status 401
  [ "$body" = "$wrong" ]
  [ "$body" = '{"statusCode":401,"error":"Unauthorized","message":"invalid email or password"}' ]
}

@test "login validates its body" {
  try_login_with "{\"email\":\"$(email_of x)\"}"
  assert_status 400
  assert_json .message 'password: is required'
  try_login_with '{"email":"x","password":"y"}'
  assert_status 400
  assert_json .message 'email: must be a valid email'
  try_login "$(email_of x)" ""
  assert_status 400
  assert_json .message 'password: must not be empty'
}

@test "an account without a password hash cannot log in" {
  psql_exec "INSERT INTO users (email, role, source) VALUES ('$(email_of nohash)', 'member', 'cloud')" >/dev/null
  try_login "$(email_of nohash)" "$PASSWORD"
  assert_status 401
  assert_json .message 'invalid email or password'
}

@test "cloud accounts log in with synced \$2y\$ and yescrypt hashes" {
  new_user cloud2y member cloud 2y >/dev/null
  new_user cloudy member cloud y >/dev/null
  [[ "$(psql_exec "SELECT password_hash FROM users WHERE email = '$(email_of cloud2y)'")" == '$2y$'* ]]
  [[ "$(psql_exec "SELECT password_hash FROM users WHERE email = '$(email_of cloudy)'")" == '$y$'* ]]
  try_login "$(email_of cloud2y)" "$PASSWORD"
  assert_status 200
  assert_json .user.source cloud
  try_login "$(email_of cloudy)" "$PASSWORD"
  assert_status 200
  assert_json .user.source cloud
}

# ---- the sign-in throttle: per source, and per account from a source ----

@test "five failures from one source lock that account for that source: 429 with Retry-After, even with the right password" {
  new_user locked >/dev/null
  for i in 1 2 3 4 5; do
    try_login "$(email_of locked)" "wrong-$i"
    assert_status 401
    assert_json .message 'invalid email or password'
  done
  [ "$(failures_of 127.0.0.1/32 "$(email_of locked)")" = '5|t' ]
  try_login "$(email_of locked)" "$PASSWORD"
  assert_status 429
  [ "$body" = '{"statusCode":429,"error":"Too Many Requests","message":"too many failed logins; try again later"}' ]
  local retry
  retry=$(header Retry-After)
  [[ "$retry" =~ ^[0-9]+$ ]]
  [ "$retry" -ge 1 ]
  [ "$retry" -le 60 ]
  # attempts while locked are not counted
  [ "$(failures_of 127.0.0.1/32 "$(email_of locked)")" = '5|t' ]
  # the source as a whole counted them too, below its own threshold
  [ "$(failures_of 127.0.0.1/32 '')" = '5|' ]
}

@test "a stranger's failures do not lock the account out for its owner at another address" {
  new_user victim admin >/dev/null
  # Someone at 192.0.2.7 failed often enough to lock the account, and the whole source, there.
  psql_exec "INSERT INTO sign_in_failures (source, account, failures, locked_until) VALUES
             ('192.0.2.7/32', '$(email_of victim)', 12, now() + interval '15 minutes'),
             ('192.0.2.7/32', '', 40, now() + interval '15 minutes')" >/dev/null
  try_login "$(email_of victim)" "$PASSWORD"
  assert_status 200
  assert_json .user.role admin
  [ "$(failures_of 192.0.2.7/32 "$(email_of victim)")" = '12|t' ]
}

@test "unknown emails count too, alike: the source is locked after auth.source_lockout_failures, whatever the account" {
  new_user sprayed >/dev/null
  # Failures against unknown emails are counted per email as for real accounts…
  try_login "$(email_of ghost-1)" "$PASSWORD"
  assert_status 401
  [ "$(failures_of 127.0.0.1/32 "$(email_of ghost-1)")" = '1|' ]
  # …and for the source: the 20th locks it for every account (19 so far, set by SQL).
  psql_exec "UPDATE sign_in_failures SET failures = 19 WHERE source = '127.0.0.1/32' AND account = ''" >/dev/null
  try_login "$(email_of ghost-2)" "$PASSWORD"
  assert_status 401
  [ "$(failures_of 127.0.0.1/32 '')" = '20|t' ]
  try_login "$(email_of sprayed)" "$PASSWORD"
  assert_status 429
  assert_json .message 'too many failed logins; try again later'
  [ "$(header Retry-After)" -le 60 ]
}

@test "each further lock doubles, up to 15 minutes; a success forgets the account's failures, not the source's" {
  local retry
  new_user doubling >/dev/null
  psql_exec "INSERT INTO sign_in_failures (source, account, failures, locked_until)
             VALUES ('127.0.0.1/32', '$(email_of doubling)', 5, now() - interval '1 second')" >/dev/null
  # the lock has run out: one more failure locks for 2 minutes
  try_login "$(email_of doubling)" wrong
  assert_status 401
  try_login "$(email_of doubling)" "$PASSWORD"
  assert_status 429
  retry=$(header Retry-After)
  [ "$retry" -gt 60 ]
  [ "$retry" -le 120 ]
  # far beyond: capped at 15 minutes
  psql_exec "UPDATE sign_in_failures SET failures = 20, locked_until = now() - interval '1 second'
             WHERE account = '$(email_of doubling)'" >/dev/null
  try_login "$(email_of doubling)" wrong
  assert_status 401
  try_login "$(email_of doubling)" "$PASSWORD"
  assert_status 429
  retry=$(header Retry-After)
  [ "$retry" -gt 480 ]
  [ "$retry" -le 900 ]
  # unlocked (as time would), a success forgets the account's row and records the login
  psql_exec "UPDATE sign_in_failures SET locked_until = now() - interval '1 second'
             WHERE account = '$(email_of doubling)'" >/dev/null
  try_login "$(email_of doubling)" "$PASSWORD"
  assert_status 200
  [ -z "$(failures_of 127.0.0.1/32 "$(email_of doubling)")" ]
  [ "$(failures_of 127.0.0.1/32 '')" = '2|' ]
  [ "$(psql_exec "SELECT last_login_at IS NOT NULL FROM users WHERE email = '$(email_of doubling)'")" = t ]
}

@test "failures below the threshold do not lock, and a success clears them" {
  new_user fumbler >/dev/null
  for i in 1 2 3 4; do
    try_login "$(email_of fumbler)" "wrong-$i"
    assert_status 401
  done
  [ "$(failures_of 127.0.0.1/32 "$(email_of fumbler)")" = '4|' ]
  try_login "$(email_of fumbler)" "$PASSWORD"
  assert_status 200
  [ -z "$(failures_of 127.0.0.1/32 "$(email_of fumbler)")" ]
}

@test "login has one spelling: /api/auth/login/ is not a way around nginx's limit" {
  new_user slash >/dev/null
  api_json POST /api/auth/login/ "{\"email\":\"$(email_of slash)\",\"password\":\"wrong\"}"
  assert_error 404 'route POST:/api/auth/login/ not found'
  api_json POST /api/auth/me/ '{}'
  assert_status 404
  [ -z "$(failures_of 127.0.0.1/32 "$(email_of slash)")" ] # no password was checked
}

@test "change-password: a wrong current password is counted, and throttled like a login" {
  new_user guesser >/dev/null
  session_for guesser
  local wrong='{"currentPassword":"wrong","newPassword":"brand-new-pass"}'
  for i in 1 2 3 4 5; do
    api_json POST /api/auth/change-password "$wrong" -H "Authorization: Bearer $ACCESS"
    assert_error 400 'currentPassword: incorrect'
  done
  [ "$(failures_of 127.0.0.1/32 "$(email_of guesser)")" = '5|t' ]
  # locked: even the right current password is not looked at
  api_json POST /api/auth/change-password "{\"currentPassword\":\"$PASSWORD\",\"newPassword\":\"brand-new-pass\"}" \
    -H "Authorization: Bearer $ACCESS"
  assert_error 429 'too many failed logins; try again later'
  [[ "$(header Retry-After)" =~ ^[0-9]+$ ]]
  [ "$(failures_of 127.0.0.1/32 "$(email_of guesser)")" = '5|t' ]
  # and login to that account from here is locked too: one counter
  try_login "$(email_of guesser)" "$PASSWORD"
  assert_status 429
}

# ---- refresh rotation ----

@test "refresh rotates: a new pair in the same family, the old token dead" {
  new_user erin >/dev/null
  session_for erin
  local old_refresh=$REFRESH family=$SID
  refresh_with "$old_refresh"
  assert_status 200
  [ "$(jq -c 'keys' <<<"$body")" = '["accessToken","expiresIn","refreshToken","user"]' ]
  assert_json .user.email "$(email_of erin)"
  local new_refresh new_access
  new_refresh=$(json_field .refreshToken)
  new_access=$(json_field .accessToken)
  [ "$new_refresh" != "$old_refresh" ]
  # (the access token may equal the old one when both were signed in the same second)
  [ "$(jwt_claim "$new_access" sid)" = "$family" ]
  [ "$(cookie_value refresh_token)" = "$new_refresh" ]
  [ "$(cookie_value access_token)" = "$new_access" ]
  [ "$(psql_exec "SELECT rotated_at IS NOT NULL, revoked_at IS NOT NULL, family_id FROM refresh_tokens
                  WHERE token_hash = '$(sha256 "$old_refresh")'")" = "t|t|$family" ]
  [ "$(psql_exec "SELECT family_id FROM refresh_tokens WHERE token_hash = '$(sha256 "$new_refresh")'")" = "$family" ]
  me_with "$new_access"
  assert_status 200
}

@test "presenting a rotated token revokes the whole family: the newest token fails too" {
  new_user frank >/dev/null
  session_for frank
  local first=$REFRESH family=$SID
  refresh_with "$first"
  assert_status 200
  local second
  second=$(json_field .refreshToken)
  # replay of the first token: reuse
  refresh_with "$first"
  assert_status 401
  [ "$body" = '{"statusCode":401,"error":"Unauthorized","message":"refresh token reuse detected"}' ]
  [ "$(live_tokens_of_family "$family")" = 0 ]
  # the legitimate newest token is dead as well
  refresh_with "$second"
  assert_status 401
  assert_json .message 'refresh token reuse detected'
}

@test "refresh reads the refresh_token cookie and sets both cookies again" {
  new_user grace >/dev/null
  session_for grace
  api_json POST /api/auth/refresh '{}' -H "Cookie: refresh_token=$REFRESH"
  assert_status 200
  [ "$(cookie_value refresh_token)" = "$(json_field .refreshToken)" ]
  [ "$(cookie_value access_token)" = "$(json_field .accessToken)" ]
  [[ "$(cookie_line refresh_token)" == *"; Path=/api/auth;"* ]]
  [ "$(json_field .refreshToken)" != "$REFRESH" ]
}

@test "refresh rejects unknown and expired tokens, and wants a token" {
  api_json POST /api/auth/refresh '{"refreshToken":"no-such-token"}'
  assert_status 401
  [ "$body" = '{"statusCode":401,"error":"Unauthorized","message":"invalid refresh token"}' ]
  new_user heidi >/dev/null
  session_for heidi
  psql_exec "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = '$(sha256 "$REFRESH")'" >/dev/null
  refusals anonymous POST /api/auth/refresh \
    401 'invalid refresh token' "{\"refreshToken\":\"$REFRESH\"}" \
    400 'refreshToken: is required' '{}'
}

@test "a refresh carries the account's current role into the new access token" {
  local id
  id=$(new_user ivan member)
  session_for ivan
  [ "$(jwt_claim "$ACCESS" role)" = member ]
  psql_exec "UPDATE users SET role = 'admin' WHERE id = '$id'" >/dev/null
  refresh_with "$REFRESH"
  assert_status 200
  [ "$(jwt_claim "$(json_field .accessToken)" role)" = admin ]
  assert_json .user.role admin
}

# ---- logout ----

@test "logout revokes the family of the cookie's token and clears both cookies" {
  new_user judy >/dev/null
  session_for judy
  api_json POST /api/auth/logout '{}' -H "Cookie: refresh_token=$REFRESH; access_token=$ACCESS"
  assert_status 204
  [ -z "$body" ]
  [ -z "$(cookie_value access_token)" ]
  [ -z "$(cookie_value refresh_token)" ]
  [[ "$(cookie_line access_token)" == *"Path=/;"*"Max-Age=0"* ]]
  [[ "$(cookie_line refresh_token)" == *"Path=/api/auth;"*"Max-Age=0"* ]]
  [ "$(live_tokens_of_family "$SID")" = 0 ]
  refresh_with "$REFRESH"
  assert_status 401
}

@test "logout takes the token from the body too, and answers 204 without any" {
  new_user ken >/dev/null
  session_for ken
  api_json POST /api/auth/logout "{\"refreshToken\":\"$REFRESH\"}"
  assert_status 204
  [ "$(live_tokens_of_family "$SID")" = 0 ]
  api_json POST /api/auth/logout '{}'
  assert_status 204
  [ -n "$(cookie_line refresh_token)" ]
  api POST /api/auth/logout
  assert_status 204
}

# ---- access tokens (the runtime's checks, seen through /api/auth/me) ----

@test "me needs credentials" {
  api GET /api/auth/me
  assert_status 401
  [ "$body" = '{"statusCode":401,"error":"Unauthorized","message":"authentication required"}' ]
}

# ---- revocation ends access at once (the runtime asks station_access_role per request) ----

@test "logout ends the session's access token at once" {
  new_user logoff >/dev/null
  session_for logoff
  me_with "$ACCESS"
  assert_status 200
  api_json POST /api/auth/logout "{\"refreshToken\":\"$REFRESH\"}"
  assert_status 204
  me_with "$ACCESS"
  assert_error 401 'session is no longer valid'
  api GET /api/auth/me -H "Cookie: access_token=$ACCESS"
  assert_error 401 'session is no longer valid'
}

@test "a session deleted from another one loses its access token at once" {
  new_user twodevices >/dev/null
  session_for twodevices tablet
  local tablet_access=$ACCESS tablet_family=$SID
  session_for twodevices desk
  me_with "$tablet_access"
  assert_status 200
  api DELETE "/api/auth/sessions/$tablet_family" -H "Authorization: Bearer $ACCESS"
  assert_status 204
  me_with "$tablet_access"
  assert_error 401 'session is no longer valid'
  me_with "$ACCESS"
  assert_status 200
}

@test "change-password ends the other sessions' access tokens at once, not the caller's" {
  new_user rekey >/dev/null
  session_for rekey phone
  local phone_access=$ACCESS
  session_for rekey laptop
  api_json POST /api/auth/change-password "{\"currentPassword\":\"$PASSWORD\",\"newPassword\":\"brand-new-pass\"}" \
    -H "Authorization: Bearer $ACCESS"
  assert_status 204
  me_with "$phone_access"
  assert_error 401 'session is no longer valid'
  me_with "$ACCESS"
  assert_status 200
}

@test "a role change takes effect at once: the role that authorizes is the member's current one" {
  local id
  id=$(new_user demoted admin)
  session_for demoted
  # an admin-only route, on a device that does not exist: an admin gets 404, a member 403
  api_json PATCH "/api/devices/$(uuid_new)" '{"name":"x"}' -H "Authorization: Bearer $ACCESS"
  assert_status 404
  psql_exec "UPDATE station_members SET role = 'member' WHERE user_id = '$id'" >/dev/null
  api_json PATCH "/api/devices/$(uuid_new)" '{"name":"x"}' -H "Authorization: Bearer $ACCESS"
  assert_error 403 'not allowed for this account'
  me_with "$ACCESS"       # still a member: still in
  assert_status 200
  psql_exec "UPDATE station_members SET role = 'admin' WHERE user_id = '$id'" >/dev/null
  api_json PATCH "/api/devices/$(uuid_new)" '{"name":"x"}' -H "Authorization: Bearer $ACCESS"
  assert_status 404
}

@test "a member removed from the station loses access at once, and cannot refresh" {
  local id
  id=$(new_user removed)
  session_for removed
  me_with "$ACCESS"
  assert_status 200
  psql_exec "DELETE FROM station_members WHERE user_id = '$id'" >/dev/null
  me_with "$ACCESS"
  assert_error 401 'session is no longer valid'
  refresh_with "$REFRESH"
  assert_error 401 'invalid refresh token'
}

@test "a session ends auth.session_max_days after it started: rotation does not extend it" {
  new_user longlived >/dev/null
  session_for longlived
  refresh_with "$REFRESH"
  assert_status 200
  local rotated
  rotated=$(json_field .refreshToken)
  # rotation keeps the session's start
  [ "$(psql_exec "SELECT count(DISTINCT session_started_at) FROM refresh_tokens WHERE family_id = '$SID'")" = 1 ]
  # 30 days later (the default), the live token is still unexpired, but the session is over
  psql_exec "UPDATE refresh_tokens SET session_started_at = now() - interval '30 days 1 minute',
             expires_at = now() + interval '1 day' WHERE family_id = '$SID'" >/dev/null
  refresh_with "$rotated"
  assert_error 401 'invalid refresh token'
  me_with "$ACCESS"
  assert_error 401 'session is no longer valid'
}

@test "a token crafted with the real secret works; expired, tampered, alg none, HS512, trailing bytes do not" {
  local id now good
  id=$(new_user mallory member)
  session_for mallory
  now=$(date +%s)
  good=$(jwt_craft HS256 "$(claims "$id" member $((now - 10)) $((now + 300)) "$SID")")
  me_with "$good"
  assert_status 200                       # the crafting itself is right
  assert_json .id "$id"
  # a good signature without a session, or with a session that is not the user's
  me_with "$(jwt_craft HS256 "$(claims "$id" member $((now - 10)) $((now + 300)))")"
  assert_error 401 'session is no longer valid'
  me_with "$(jwt_craft HS256 "$(claims "$id" member $((now - 10)) $((now + 300)) "$(uuid_new)")")"
  assert_error 401 'session is no longer valid'

  me_with "$(jwt_craft HS256 "$(claims "$id" member $((now - 1000)) $((now - 100)))")"
  assert_status 401
  [ "$body" = '{"statusCode":401,"error":"Unauthorized","message":"access token expired"}' ]

  local sig=${good##*.} head=${good%.*} flipped
  flipped=${sig:0:10}$([ "${sig:10:1}" = A ] && echo B || echo A)${sig:11}
  me_with "$head.$flipped"
  assert_status 401
  [ "$body" = '{"statusCode":401,"error":"Unauthorized","message":"invalid access token"}' ]

  # a payload changed after signing (member → owner)
  local forged_payload
  forged_payload=$(printf '%s' "$(claims "$id" owner $((now - 10)) $((now + 300)))" | base64 -w0 | tr '+/' '-_' | tr -d '=')
  me_with "${good%%.*}.$forged_payload.$sig"
  assert_status 401
  assert_json .message 'invalid access token'

  me_with "$(jwt_craft none "$(claims "$id" owner $((now - 10)) $((now + 300)))")"
  assert_status 401
  assert_json .message 'invalid access token'
  # alg none in the header, even with a valid HMAC-SHA256 over the bytes
  me_with "$(jwt_craft HS256 "$(claims "$id" owner $((now - 10)) $((now + 300)))" '{"alg":"none","typ":"JWT"}')"
  assert_status 401
  assert_json .message 'invalid access token'

  me_with "$(jwt_craft HS512 "$(claims "$id" member $((now - 10)) $((now + 300)))")"
  assert_status 401
  assert_json .message 'invalid access token'

  me_with "${good}x"
  assert_status 401
  assert_json .message 'invalid access token'
  me_with "${good}.x"
  assert_status 401
  assert_json .message 'invalid access token'
}

# ---- the CSRF guard on cookie-authenticated writes ----

@test "a cookie-authenticated write must be JSON and, with an Origin, from the station itself" {
  new_user oscar >/dev/null
  session_for oscar
  local body_json="{\"currentPassword\":\"$PASSWORD\",\"newPassword\":\"$PASSWORD-2\"}"
  api POST /api/auth/change-password -H "Cookie: access_token=$ACCESS" -H 'Content-Type: text/plain' --data-binary "$body_json"
  assert_status 415
  [ "$body" = '{"statusCode":415,"error":"Unsupported Media Type","message":"content-type: cookie-authenticated requests must be application/json"}' ]
  api POST /api/auth/change-password -H "Cookie: access_token=$ACCESS"
  assert_status 415
  api_json POST /api/auth/change-password "$body_json" -H "Cookie: access_token=$ACCESS" -H 'Origin: http://evil.example'
  assert_status 403
  [ "$body" = '{"statusCode":403,"error":"Forbidden","message":"origin: not allowed"}' ]
  # logout through the refresh cookie is guarded the same way
  api POST /api/auth/logout -H "Cookie: refresh_token=$REFRESH" -H 'Content-Type: text/plain' --data-binary '{}'
  assert_status 415
  api_json POST /api/auth/logout '{}' -H "Cookie: refresh_token=$REFRESH" -H 'Origin: http://evil.example'
  assert_status 403
  [ "$(live_tokens_of_family "$SID")" = 1 ]
  # nothing changed so far; the station's own origin passes
  api_json POST /api/auth/change-password "$body_json" -H "Cookie: access_token=$ACCESS" -H "Origin: ${STATION_URL%/}"
  assert_status 204
}

@test "an empty Authorization header does not turn the CSRF guard off while the cookie authenticates" {
  new_user emptyauth >/dev/null
  session_for emptyauth
  local body_json="{\"currentPassword\":\"$PASSWORD\",\"newPassword\":\"$PASSWORD-2\"}"
  # curl sends "Authorization:" with an empty value for -H 'Authorization;'
  api_json POST /api/auth/change-password "$body_json" -H 'Authorization;' -H "Cookie: access_token=$ACCESS" \
    -H 'Origin: http://evil.example'
  assert_error 403 'origin: not allowed'
  api POST /api/auth/change-password -H 'Authorization;' -H "Cookie: access_token=$ACCESS" \
    -H 'Content-Type: text/plain' --data-binary "$body_json"
  assert_status 415
  # a bearer token on a public route does not exempt the refresh cookie it carries
  api_json POST /api/auth/logout '{}' -H "Authorization: Bearer $ACCESS" -H "Cookie: refresh_token=$REFRESH" \
    -H 'Origin: http://evil.example'
  assert_error 403 'origin: not allowed'
  [ "$(live_tokens_of_family "$SID")" = 1 ]
  try_login "$(email_of emptyauth)" "$PASSWORD"
  assert_status 200
}

# ---- change-password ----

@test "change-password checks the current password and revokes the other sessions only" {
  new_user peggy >/dev/null
  session_for peggy phone
  local other_refresh=$REFRESH other_family=$SID
  session_for peggy laptop
  api_json POST /api/auth/change-password "{\"currentPassword\":\"wrong\",\"newPassword\":\"brand-new-pass\"}" -H "Authorization: Bearer $ACCESS"
  assert_status 400
  [ "$body" = '{"statusCode":400,"error":"Bad Request","message":"currentPassword: incorrect"}' ]
  api_json POST /api/auth/change-password "{\"currentPassword\":\"$PASSWORD\",\"newPassword\":\"short\"}" -H "Authorization: Bearer $ACCESS"
  assert_status 400
  assert_json .message 'newPassword: must be at least 8 characters'
  api_json POST /api/auth/change-password "{\"currentPassword\":\"$PASSWORD\"}" -H "Authorization: Bearer $ACCESS"
  assert_status 400
  assert_json .message 'newPassword: is required'
  [ "$(live_tokens_of_family "$other_family")" = 1 ]

  api_json POST /api/auth/change-password "{\"currentPassword\":\"$PASSWORD\",\"newPassword\":\"brand-new-pass\"}" -H "Authorization: Bearer $ACCESS"
  assert_status 204
  [ -z "$body" ]
  [ "$(live_tokens_of_family "$other_family")" = 0 ]
  [ "$(live_tokens_of_family "$SID")" = 1 ]
  refresh_with "$other_refresh"
  assert_status 401
  refresh_with "$REFRESH"
  assert_status 200
  try_login "$(email_of peggy)" "$PASSWORD"
  assert_status 401
  try_login "$(email_of peggy)" brand-new-pass
  assert_status 200
  [[ "$(psql_exec "SELECT password_hash FROM users WHERE email = '$(email_of peggy)'")" == '$2b$'* ]]
}

@test "change-password is refused for cloud accounts" {
  new_user cloudpw member cloud >/dev/null
  session_for cloudpw
  api_json POST /api/auth/change-password "{\"currentPassword\":\"$PASSWORD\",\"newPassword\":\"brand-new-pass\"}" -H "Authorization: Bearer $ACCESS"
  assert_status 403
  assert_json .message 'password: managed by the cloud for this account'
}

# ---- sessions ----

@test "sessions lists the caller's live sessions and marks the current one" {
  new_user quinn >/dev/null
  session_for quinn 'bats phone'
  local phone_family=$SID
  session_for quinn 'bats laptop'
  api GET /api/auth/sessions -H "Authorization: Bearer $ACCESS"
  assert_status 200
  [ "$(jq 'length' <<<"$body")" = 2 ]
  [ "$(jq -c '.[0] | keys' <<<"$body")" = '["createdAt","current","id","lastUsedAt","userAgent"]' ]
  [ "$(jq -r "map(select(.current)) | .[0].id" <<<"$body")" = "$SID" ]
  [ "$(jq -r "map(select(.current)) | .[0].userAgent" <<<"$body")" = 'bats laptop' ]
  [ "$(jq -r "map(select(.id == \"$phone_family\")) | .[0].current" <<<"$body")" = false ]
  [ "$(jq -r "map(select(.id == \"$phone_family\")) | .[0].userAgent" <<<"$body")" = 'bats phone' ]
  [[ "$(jq -r '.[0].createdAt' <<<"$body")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$ ]]
  # a rotation keeps the session (same id, same createdAt)
  local created
  created=$(jq -r "map(select(.current)) | .[0].createdAt" <<<"$body")
  refresh_with "$REFRESH" -A 'bats laptop'
  assert_status 200
  api GET /api/auth/sessions -H "Authorization: Bearer $(json_field .accessToken)"
  [ "$(jq 'length' <<<"$body")" = 2 ]
  [ "$(jq -r "map(select(.current)) | .[0].id" <<<"$body")" = "$SID" ]
  [ "$(jq -r "map(select(.current)) | .[0].createdAt" <<<"$body")" = "$created" ]
}

@test "a session can be revoked by its owner only" {
  new_user rita >/dev/null
  new_user sam >/dev/null
  session_for sam
  local sams_family=$SID
  session_for rita 'old tablet'
  local tablet_refresh=$REFRESH tablet_family=$SID
  session_for rita 'desk'
  api DELETE "/api/auth/sessions/$sams_family" -H "Authorization: Bearer $ACCESS"
  assert_status 404
  [ "$body" = '{"statusCode":404,"error":"Not Found","message":"session not found"}' ]
  [ "$(live_tokens_of_family "$sams_family")" = 1 ]
  api DELETE "/api/auth/sessions/$(uuid_new)" -H "Authorization: Bearer $ACCESS"
  assert_status 404
  assert_json .message 'session not found'
  api DELETE /api/auth/sessions/not-a-uuid -H "Authorization: Bearer $ACCESS"
  assert_status 404

  api DELETE "/api/auth/sessions/$tablet_family" -H "Authorization: Bearer $ACCESS"
  assert_status 204
  [ -z "$body" ]
  api GET /api/auth/sessions -H "Authorization: Bearer $ACCESS"
  [ "$(jq -c 'map(.id)' <<<"$body")" = "[\"$SID\"]" ]
  refresh_with "$tablet_refresh"
  assert_status 401
  # twice: it is gone
  api DELETE "/api/auth/sessions/$tablet_family" -H "Authorization: Bearer $ACCESS"
  assert_status 404
}

@test "sessions and me need a member" {
  api GET /api/auth/sessions
  assert_status 401
  api DELETE "/api/auth/sessions/$(uuid_new)"
  assert_status 401
  api POST /api/auth/change-password -H 'Content-Type: application/json' -d '{}'
  assert_status 401
  assert_json .message 'authentication required'
}
