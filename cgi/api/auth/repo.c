/*
 * repo.c — SQL of the auth module (api-auth).
 *
 * The only file of this module that holds SQL; every statement is fixed text with
 * parameters. USER_SELECT and user_columns (user_repo.h) are one pair.
 * password_hash is selected only where a password is checked, never next to a map that
 * writes JSON. Refresh tokens are looked up by their SHA-256 only; the clear token never
 * reaches the database.
 */
#include "repo.h"

const struct db_column auth_session_columns[] = {
	{ "id", DBK_STRING },
	{ "createdAt", DBK_TIME },
	{ "lastUsedAt", DBK_TIME },
	{ "userAgent", DBK_STRING },
	{ "current", DBK_BOOL },
	{ 0 },
};

STATEMENT(auth_registration_status,
	"SELECT NOT EXISTS (SELECT 1 FROM users), "
	"EXISTS (SELECT 1 FROM users WHERE role IN ('owner', 'admin'))");

const struct db_column auth_registration_columns[] = {
	{ "isRegistrationOpen", DBK_BOOL },
	{ "hasAdmin", DBK_BOOL },
	{ 0 },
};

/* A transaction-scoped advisory lock: concurrent registrations run one after the other. */
STATEMENT(auth_lock_registration,
	"SELECT pg_advisory_xact_lock(hashtextextended('smart-station:auth:register', 0))");

/* Run after the lock, in a statement of its own, so its snapshot sees a user committed meanwhile. */
STATEMENT(auth_insert_first_user,
	"INSERT INTO users AS u (email, name, role, source, password_hash, last_login_at) "
	"SELECT lower($1::text), $2::text, 'owner', 'local', $3::text, now() "
	"WHERE NOT EXISTS (SELECT 1 FROM users) "
	"RETURNING " USER_SELECT);

STATEMENT(auth_login_account,
	"SELECT " USER_SELECT ", u.password_hash FROM users u WHERE lower(u.email) = lower($1::text)");

/* The key of a source: its address, an IPv6 one by its /64 (what one host can choose from). */
#define SOURCE_OF(param) "network(set_masklen(" param "::inet, CASE family(" param "::inet) WHEN 6 THEN 64 ELSE 32 END))"

STATEMENT(auth_sign_in_wait,
	"SELECT COALESCE(max(ceil(extract(epoch FROM f.locked_until - now()))), 0)::integer "
	"FROM sign_in_failures f "
	"WHERE f.source = " SOURCE_OF("$1") " AND f.account IN ('', lower($2::text)) AND f.locked_until > now()");

/* One statement, so that a failure is counted without a transaction around it. Rows of
 * other sources quiet for a day are swept on the way (never the rows being counted). */
STATEMENT(auth_sign_in_failed,
	"WITH swept AS ("
	"  DELETE FROM sign_in_failures "
	"  WHERE last_failure_at < now() - interval '1 day' AND (locked_until IS NULL OR locked_until < now()) "
	"  AND source <> " SOURCE_OF("$1") ") "
	"INSERT INTO sign_in_failures AS f (source, account, failures) "
	"SELECT " SOURCE_OF("$1") ", a.account, 1 FROM (VALUES (''), (lower($2::text))) AS a(account) "
	"ON CONFLICT (source, account) DO UPDATE "
	"SET failures = CASE WHEN f.last_failure_at < now() - interval '1 hour' THEN 1 ELSE f.failures + 1 END, "
	"    last_failure_at = now() "
	"RETURNING f.account = '', f.failures");

STATEMENT(auth_sign_in_lock,
	"UPDATE sign_in_failures SET locked_until = now() + make_interval(secs => $3::integer) "
	"WHERE source = " SOURCE_OF("$1") " AND account = lower($2::text)");

STATEMENT(auth_sign_in_succeeded,
	"DELETE FROM sign_in_failures WHERE source = " SOURCE_OF("$1") " AND account = lower($2::text)");

STATEMENT(auth_record_login,
	"UPDATE users AS u SET last_login_at = now() WHERE u.id = $1::uuid RETURNING " USER_SELECT);

STATEMENT(auth_user_by_id,
	"SELECT " USER_SELECT " FROM users u WHERE u.id = $1::uuid");

STATEMENT(auth_credentials,
	"SELECT password_hash, source, email FROM users WHERE id = $1::uuid");

STATEMENT(auth_insert_refresh,
	"INSERT INTO refresh_tokens (family_id, user_id, token_hash, user_agent, expires_at) "
	"VALUES (gen_random_uuid(), $1::uuid, $2::text, $3::text, now() + make_interval(secs => $4::integer)) "
	"RETURNING family_id");

/* One statement, so that the rotation is atomic without a transaction around it. */
STATEMENT(auth_rotate_refresh,
	"WITH rotated AS ("
	"  UPDATE refresh_tokens SET rotated_at = now(), revoked_at = now(), last_used_at = now() "
	"  WHERE token_hash = $1::text AND revoked_at IS NULL AND rotated_at IS NULL AND expires_at > now() "
	"  AND station_access_role(user_id, family_id, $5::integer) IS NOT NULL "
	"  RETURNING family_id, user_id, session_started_at), "
	"successor AS ("
	"  INSERT INTO refresh_tokens (family_id, user_id, token_hash, user_agent, expires_at, session_started_at) "
	"  SELECT r.family_id, r.user_id, $2::text, $3::text, now() + make_interval(secs => $4::integer), "
	"         r.session_started_at "
	"  FROM rotated r JOIN users u ON u.id = r.user_id "
	"  RETURNING family_id, user_id) "
	"SELECT " USER_SELECT ", s.family_id FROM successor s JOIN users u ON u.id = s.user_id");

STATEMENT(auth_refresh_state,
	"SELECT family_id, user_id, (revoked_at IS NOT NULL OR rotated_at IS NOT NULL) "
	"FROM refresh_tokens WHERE token_hash = $1::text");

STATEMENT(auth_revoke_family,
	"UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1::uuid AND revoked_at IS NULL");

STATEMENT(auth_revoke_family_of,
	"UPDATE refresh_tokens SET revoked_at = now() "
	"WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1::text) "
	"AND revoked_at IS NULL");

STATEMENT(auth_revoke_session,
	"UPDATE refresh_tokens SET revoked_at = now() "
	"WHERE user_id = $1::uuid AND family_id = $2::uuid AND revoked_at IS NULL "
	"RETURNING id");

/*
 * One row per family holding a live token (rotation keeps at most one per family):
 * the family's first token gives createdAt, the live one lastUsedAt and userAgent.
 */
STATEMENT(auth_sessions,
	"SELECT t.family_id, "
	"       (SELECT min(f.created_at) FROM refresh_tokens f WHERE f.family_id = t.family_id), "
	"       t.last_used_at, t.user_agent, COALESCE(t.family_id = $2::uuid, false) "
	"FROM refresh_tokens t "
	"WHERE t.user_id = $1::uuid AND t.revoked_at IS NULL AND t.expires_at > now() "
	"ORDER BY t.last_used_at DESC, t.family_id");
