/*
 * repo.h — SQL of the auth module (api-auth): accounts, their login counters, the first
 * registration, and refresh-token families (one family = one session).
 *
 * Functions return the database status and, on DB_OK, a result released with the arena.
 * Results that carry a user start with the columns of auth_user_columns (so
 * db_write_row(w, res, row, auth_user_columns) writes the User JSON of SPEC §4 from any
 * of them); columns after those are named by the enums beside each function. Nothing
 * here replies, decides a rule, or ever selects a password hash for output.
 */
#ifndef STATION_API_AUTH_REPO_H
#define STATION_API_AUTH_REPO_H

#include <libpq-fe.h>

#include "arena.h"
#include "db.h"

/* The User JSON: {id,email,name,role,source,lastLoginAt,createdAt,updatedAt}. */
extern const struct db_column auth_user_columns[];
enum { USER_COL_ID, USER_COL_EMAIL, USER_COL_NAME, USER_COL_ROLE, USER_COL_SOURCE, USER_COL_COUNT = 8 };

/* A session: {id,createdAt,lastUsedAt,userAgent,current}. */
extern const struct db_column auth_session_columns[];

/* One row: REG_COL_OPEN (no user exists), REG_COL_HAS_ADMIN (an owner or admin exists). */
enum { REG_COL_OPEN, REG_COL_HAS_ADMIN };
enum db_status auth_repo_registration_status(struct db *db, struct arena *arena, PGresult **out);

/* Inside a transaction: serializes registrations until the transaction ends. */
enum db_status auth_repo_lock_registration(struct db *db, struct arena *arena);
/*
 * Inserts the owner (signed in as of now) unless any user exists: one user row, or none
 * when registration is closed.
 */
enum db_status auth_repo_insert_first_user(struct db *db, struct arena *arena, const char *email, const char *name,
					   const char *password_hash, PGresult **out);
/* Makes user_id the owner member of the station: one row, or none when there is no station row. */
enum db_status auth_repo_add_station_owner(struct db *db, struct arena *arena, const char *user_id, PGresult **out);

/* The account behind an email (any case): user columns, then these; no row when unknown. */
enum { LOGIN_COL_PASSWORD_HASH = USER_COL_COUNT, LOGIN_COL_RETRY_AFTER };
enum db_status auth_repo_login_account(struct db *db, struct arena *arena, const char *email, PGresult **out);
/* Counts one failed login; the row holds the consecutive failures so far. */
enum db_status auth_repo_count_failure(struct db *db, struct arena *arena, const char *user_id, PGresult **out);
/* Locks the account for `seconds` from now. */
enum db_status auth_repo_lock_account(struct db *db, struct arena *arena, const char *user_id, long seconds);
/* A successful login: the counter and the lock reset, last_login_at set; the user row. */
enum db_status auth_repo_record_login(struct db *db, struct arena *arena, const char *user_id, PGresult **out);

enum db_status auth_repo_user_by_id(struct db *db, struct arena *arena, const char *user_id, PGresult **out);
/* One row (CRED_COL_*) when the user exists. */
enum { CRED_COL_PASSWORD_HASH, CRED_COL_SOURCE };
enum db_status auth_repo_credentials(struct db *db, struct arena *arena, const char *user_id, PGresult **out);
enum db_status auth_repo_set_password(struct db *db, struct arena *arena, const char *user_id,
				      const char *password_hash);

/*
 * Stores a refresh token (its hash) in family_id, or in a new family when family_id is
 * NULL; the row holds the family id.
 */
enum db_status auth_repo_insert_refresh(struct db *db, struct arena *arena, const char *family_id, const char *user_id,
					const char *token_hash, const char *user_agent, long ttl_seconds, PGresult **out);
/*
 * Marks a live token (unrevoked, unexpired) rotated and revoked, in one step that two
 * racing refreshes cannot both win. One row (user columns, then ROTATE_COL_FAMILY_ID),
 * or none when the token is not live.
 */
enum { ROTATE_COL_FAMILY_ID = USER_COL_COUNT };
enum db_status auth_repo_rotate_refresh(struct db *db, struct arena *arena, const char *token_hash, PGresult **out);
/* What a token that could not be rotated is: one row (TOKEN_COL_*), or none when unknown. */
enum { TOKEN_COL_FAMILY_ID, TOKEN_COL_USER_ID, TOKEN_COL_REVOKED };
enum db_status auth_repo_refresh_state(struct db *db, struct arena *arena, const char *token_hash, PGresult **out);

enum db_status auth_repo_revoke_family(struct db *db, struct arena *arena, const char *family_id);
/* Revokes the family the token belongs to (nothing when the token is unknown). */
enum db_status auth_repo_revoke_family_of(struct db *db, struct arena *arena, const char *token_hash);
/* Revokes every family of the user except keep_family (NULL: all of them). */
enum db_status auth_repo_revoke_other_families(struct db *db, struct arena *arena, const char *user_id,
					       const char *keep_family);
/* Revokes the user's family family_id: one row per token revoked (none: not the user's, or not live). */
enum db_status auth_repo_revoke_session(struct db *db, struct arena *arena, const char *user_id, const char *family_id,
					PGresult **out);

/* The user's live sessions, most recently used first, as auth_session_columns. */
enum db_status auth_repo_sessions(struct db *db, struct arena *arena, const char *user_id, const char *current_family,
				  PGresult **out);

#endif
