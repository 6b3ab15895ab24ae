/*
 * repo.c — SQL of the auth module (api-auth).
 *
 * The only file of this module that holds SQL; every statement is fixed text with
 * parameters. USER_SELECT and auth_user_columns are one pair: change them together.
 * password_hash is selected only where a password is checked, never next to a map that
 * writes JSON. Refresh tokens are looked up by their SHA-256 only; the clear token never
 * reaches the database.
 */
#include "repo.h"

#include <stdio.h>

/* Column order must match auth_user_columns. */
#define USER_SELECT "u.id, u.email, u.name, u.role, u.source, u.last_login_at, u.created_at, u.updated_at"

const struct db_column auth_user_columns[] = {
	{ "id", DBK_STRING },
	{ "email", DBK_STRING },
	{ "name", DBK_STRING },
	{ "role", DBK_STRING },
	{ "source", DBK_STRING },
	{ "lastLoginAt", DBK_TIME },
	{ "createdAt", DBK_TIME },
	{ "updatedAt", DBK_TIME },
	{ 0 },
};

const struct db_column auth_session_columns[] = {
	{ "id", DBK_STRING },
	{ "createdAt", DBK_TIME },
	{ "lastUsedAt", DBK_TIME },
	{ "userAgent", DBK_STRING },
	{ "current", DBK_BOOL },
	{ 0 },
};

static struct db_stmt registration_status_stmt = DB_STMT(0,
	"SELECT NOT EXISTS (SELECT 1 FROM users), "
	"EXISTS (SELECT 1 FROM users WHERE role IN ('owner', 'admin'))");

/* A transaction-scoped advisory lock: concurrent registrations run one after the other. */
static struct db_stmt lock_registration_stmt = DB_STMT(0,
	"SELECT pg_advisory_xact_lock(hashtextextended('smart-station:auth:register', 0))");

/* Run after the lock, in a statement of its own, so its snapshot sees a user committed meanwhile. */
static struct db_stmt insert_first_user_stmt = DB_STMT(3,
	"INSERT INTO users AS u (email, name, role, source, password_hash, last_login_at) "
	"SELECT lower($1::text), $2::text, 'owner', 'local', $3::text, now() "
	"WHERE NOT EXISTS (SELECT 1 FROM users) "
	"RETURNING " USER_SELECT);

static struct db_stmt add_station_owner_stmt = DB_STMT(1,
	"INSERT INTO station_members (station_id, user_id, role) "
	"SELECT s.id, $1::uuid, 'owner' FROM station s "
	"RETURNING station_id");

static struct db_stmt login_account_stmt = DB_STMT(1,
	"SELECT " USER_SELECT ", u.password_hash, "
	"CASE WHEN u.locked_until > now() "
	"     THEN ceil(extract(epoch FROM u.locked_until - now()))::integer ELSE 0 END "
	"FROM users u WHERE lower(u.email) = lower($1::text)");

static struct db_stmt count_failure_stmt = DB_STMT(1,
	"UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1::uuid RETURNING failed_logins");

static struct db_stmt lock_account_stmt = DB_STMT(2,
	"UPDATE users SET locked_until = now() + make_interval(secs => $2::integer) WHERE id = $1::uuid");

static struct db_stmt record_login_stmt = DB_STMT(1,
	"UPDATE users AS u SET failed_logins = 0, locked_until = NULL, last_login_at = now() "
	"WHERE u.id = $1::uuid RETURNING " USER_SELECT);

static struct db_stmt user_by_id_stmt = DB_STMT(1,
	"SELECT " USER_SELECT " FROM users u WHERE u.id = $1::uuid");

static struct db_stmt credentials_stmt = DB_STMT(1,
	"SELECT password_hash, source FROM users WHERE id = $1::uuid");

static struct db_stmt set_password_stmt = DB_STMT(2,
	"UPDATE users SET password_hash = $2::text, failed_logins = 0, locked_until = NULL, updated_at = now() "
	"WHERE id = $1::uuid");

static struct db_stmt insert_refresh_stmt = DB_STMT(5,
	"INSERT INTO refresh_tokens (family_id, user_id, token_hash, user_agent, expires_at) "
	"VALUES (COALESCE($1::uuid, gen_random_uuid()), $2::uuid, $3::text, $4::text, "
	"        now() + make_interval(secs => $5::integer)) "
	"RETURNING family_id");

static struct db_stmt rotate_refresh_stmt = DB_STMT(1,
	"WITH rotated AS ("
	"  UPDATE refresh_tokens SET rotated_at = now(), revoked_at = now(), last_used_at = now() "
	"  WHERE token_hash = $1::text AND revoked_at IS NULL AND rotated_at IS NULL AND expires_at > now() "
	"  RETURNING family_id, user_id) "
	"SELECT " USER_SELECT ", r.family_id FROM rotated r JOIN users u ON u.id = r.user_id");

static struct db_stmt refresh_state_stmt = DB_STMT(1,
	"SELECT family_id, user_id, (revoked_at IS NOT NULL OR rotated_at IS NOT NULL) "
	"FROM refresh_tokens WHERE token_hash = $1::text");

static struct db_stmt revoke_family_stmt = DB_STMT(1,
	"UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1::uuid AND revoked_at IS NULL");

static struct db_stmt revoke_family_of_stmt = DB_STMT(1,
	"UPDATE refresh_tokens SET revoked_at = now() "
	"WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1::text) "
	"AND revoked_at IS NULL");

static struct db_stmt revoke_other_families_stmt = DB_STMT(2,
	"UPDATE refresh_tokens SET revoked_at = now() "
	"WHERE user_id = $1::uuid AND revoked_at IS NULL AND family_id IS DISTINCT FROM $2::uuid");

static struct db_stmt revoke_session_stmt = DB_STMT(2,
	"UPDATE refresh_tokens SET revoked_at = now() "
	"WHERE user_id = $1::uuid AND family_id = $2::uuid AND revoked_at IS NULL "
	"RETURNING id");

/*
 * One row per family holding a live token (rotation keeps at most one per family):
 * the family's first token gives createdAt, the live one lastUsedAt and userAgent.
 */
static struct db_stmt sessions_stmt = DB_STMT(2,
	"SELECT t.family_id, "
	"       (SELECT min(f.created_at) FROM refresh_tokens f WHERE f.family_id = t.family_id), "
	"       t.last_used_at, t.user_agent, COALESCE(t.family_id = $2::uuid, false) "
	"FROM refresh_tokens t "
	"WHERE t.user_id = $1::uuid AND t.revoked_at IS NULL AND t.expires_at > now() "
	"ORDER BY t.last_used_at DESC, t.family_id");

enum db_status auth_repo_registration_status(struct db *db, struct arena *arena, PGresult **out)
{
	return db_exec(db, arena, &registration_status_stmt, NULL, out);
}

enum db_status auth_repo_lock_registration(struct db *db, struct arena *arena)
{
	return db_exec(db, arena, &lock_registration_stmt, NULL, NULL);
}

enum db_status auth_repo_insert_first_user(struct db *db, struct arena *arena, const char *email, const char *name,
					   const char *password_hash, PGresult **out)
{
	const char *params[] = { email, name, password_hash };
	return db_exec(db, arena, &insert_first_user_stmt, params, out);
}

enum db_status auth_repo_add_station_owner(struct db *db, struct arena *arena, const char *user_id, PGresult **out)
{
	const char *params[] = { user_id };
	return db_exec(db, arena, &add_station_owner_stmt, params, out);
}

enum db_status auth_repo_login_account(struct db *db, struct arena *arena, const char *email, PGresult **out)
{
	const char *params[] = { email };
	return db_exec(db, arena, &login_account_stmt, params, out);
}

enum db_status auth_repo_count_failure(struct db *db, struct arena *arena, const char *user_id, PGresult **out)
{
	const char *params[] = { user_id };
	return db_exec(db, arena, &count_failure_stmt, params, out);
}

enum db_status auth_repo_lock_account(struct db *db, struct arena *arena, const char *user_id, long seconds)
{
	char seconds_text[24];
	snprintf(seconds_text, sizeof seconds_text, "%ld", seconds);
	const char *params[] = { user_id, seconds_text };
	return db_exec(db, arena, &lock_account_stmt, params, NULL);
}

enum db_status auth_repo_record_login(struct db *db, struct arena *arena, const char *user_id, PGresult **out)
{
	const char *params[] = { user_id };
	return db_exec(db, arena, &record_login_stmt, params, out);
}

enum db_status auth_repo_user_by_id(struct db *db, struct arena *arena, const char *user_id, PGresult **out)
{
	const char *params[] = { user_id };
	return db_exec(db, arena, &user_by_id_stmt, params, out);
}

enum db_status auth_repo_credentials(struct db *db, struct arena *arena, const char *user_id, PGresult **out)
{
	const char *params[] = { user_id };
	return db_exec(db, arena, &credentials_stmt, params, out);
}

enum db_status auth_repo_set_password(struct db *db, struct arena *arena, const char *user_id,
				      const char *password_hash)
{
	const char *params[] = { user_id, password_hash };
	return db_exec(db, arena, &set_password_stmt, params, NULL);
}

enum db_status auth_repo_insert_refresh(struct db *db, struct arena *arena, const char *family_id, const char *user_id,
					const char *token_hash, const char *user_agent, long ttl_seconds, PGresult **out)
{
	char ttl_text[24];
	snprintf(ttl_text, sizeof ttl_text, "%ld", ttl_seconds);
	const char *params[] = { family_id, user_id, token_hash, user_agent, ttl_text };
	return db_exec(db, arena, &insert_refresh_stmt, params, out);
}

enum db_status auth_repo_rotate_refresh(struct db *db, struct arena *arena, const char *token_hash, PGresult **out)
{
	const char *params[] = { token_hash };
	return db_exec(db, arena, &rotate_refresh_stmt, params, out);
}

enum db_status auth_repo_refresh_state(struct db *db, struct arena *arena, const char *token_hash, PGresult **out)
{
	const char *params[] = { token_hash };
	return db_exec(db, arena, &refresh_state_stmt, params, out);
}

enum db_status auth_repo_revoke_family(struct db *db, struct arena *arena, const char *family_id)
{
	const char *params[] = { family_id };
	return db_exec(db, arena, &revoke_family_stmt, params, NULL);
}

enum db_status auth_repo_revoke_family_of(struct db *db, struct arena *arena, const char *token_hash)
{
	const char *params[] = { token_hash };
	return db_exec(db, arena, &revoke_family_of_stmt, params, NULL);
}

enum db_status auth_repo_revoke_other_families(struct db *db, struct arena *arena, const char *user_id,
					       const char *keep_family)
{
	const char *params[] = { user_id, keep_family };
	return db_exec(db, arena, &revoke_other_families_stmt, params, NULL);
}

enum db_status auth_repo_revoke_session(struct db *db, struct arena *arena, const char *user_id, const char *family_id,
					PGresult **out)
{
	const char *params[] = { user_id, family_id };
	return db_exec(db, arena, &revoke_session_stmt, params, out);
}

enum db_status auth_repo_sessions(struct db *db, struct arena *arena, const char *user_id, const char *current_family,
				  PGresult **out)
{
	const char *params[] = { user_id, current_family };
	return db_exec(db, arena, &sessions_stmt, params, out);
}
