/*
 * repo.h — SQL of the auth module (api-auth): accounts, failed sign-ins per source, the first
 * registration, and refresh-token families (one family = one session).
 *
 * Statements run with db_run(). Results that carry a user start with the columns of
 * user_columns (user_repo.h, shared with users and user-management), so
 * db_write_row(w, res, row, user_columns) writes the User JSON of SPEC §4 from any of
 * them; columns after those are named by the enums beside each statement. The owner's
 * membership is the station repository's (station_repo.h), the password statement
 * user_repo.h's. Nothing here replies, decides a rule, or ever selects a password hash
 * for output.
 */
#ifndef STATION_API_AUTH_REPO_H
#define STATION_API_AUTH_REPO_H

#include "statement.h"
#include "user_repo.h"

/* A session: {id,createdAt,lastUsedAt,userAgent,current}. */
extern const struct db_column auth_session_columns[];

/* One row: REG_COL_OPEN (no user exists), REG_COL_HAS_ADMIN (an owner or admin exists);
 * as JSON {isRegistrationOpen, hasAdmin}. */
extern const struct db_column auth_registration_columns[];
enum { REG_COL_OPEN, REG_COL_HAS_ADMIN };
STATEMENT_DECLARE(auth_registration_status, 0);

/* Inside a transaction: serializes registrations until the transaction ends. */
STATEMENT_DECLARE(auth_lock_registration, 0);
/*
 * $1 email, $2 name, $3 password hash: inserts the owner (signed in as of now) unless any
 * user exists: one user row, or none when registration is closed.
 */
STATEMENT_DECLARE(auth_insert_first_user, 3);

/* The account behind an email (any case): user columns, then this; no row when unknown. */
enum { LOGIN_COL_PASSWORD_HASH = USER_COL_COUNT };
STATEMENT_DECLARE(auth_login_account, 1);

/*
 * Failed sign-ins, per source ($1: the client's address; an IPv6 one counts by its /64)
 * and account ($2: the email as typed; compared lower-cased).
 * auth_sign_in_wait: one row, the seconds until neither the source nor this account from
 * it is locked (0: not locked).
 * auth_sign_in_failed: counts one failure for the source and for the account from it;
 * two rows (SIGN_IN_COL_*): whether the row is the whole source's, and its failures.
 * auth_sign_in_lock: $2 the row's account ('' for the whole source), $3 seconds: locks
 * that row from now.
 * auth_sign_in_succeeded: forgets the account's failures from this source (not the
 * source's own).
 */
enum { SIGN_IN_COL_WHOLE_SOURCE, SIGN_IN_COL_FAILURES };
STATEMENT_DECLARE(auth_sign_in_wait, 2);
STATEMENT_DECLARE(auth_sign_in_failed, 2);
STATEMENT_DECLARE(auth_sign_in_lock, 3);
STATEMENT_DECLARE(auth_sign_in_succeeded, 2);
/* $1 user: a successful login: last_login_at set; the user row. */
STATEMENT_DECLARE(auth_record_login, 1);

STATEMENT_DECLARE(auth_user_by_id, 1);
/* $1 user: one row (CRED_COL_*) when the user exists. */
enum { CRED_COL_PASSWORD_HASH, CRED_COL_SOURCE, CRED_COL_EMAIL };
STATEMENT_DECLARE(auth_credentials, 1);

/*
 * $1 user, $2 token hash, $3 user agent, $4 ttl seconds: opens a session (a new family,
 * started now) with its first refresh token (its hash); the row holds the family id.
 */
STATEMENT_DECLARE(auth_insert_refresh, 4);
/*
 * $1 presented token hash, $2 successor's hash, $3 user agent, $4 ttl seconds,
 * $5 auth.session_max_days: marks a live token (unrevoked, unexpired, of a session that
 * station_access_role() still admits: younger than $5 days, its user a member) rotated
 * and revoked and stores its successor in the same family, with the same session start,
 * in one statement that two racing refreshes cannot both win. One row (user columns,
 * then ROTATE_COL_FAMILY_ID), or none when the token is not live.
 */
enum { ROTATE_COL_FAMILY_ID = USER_COL_COUNT };
STATEMENT_DECLARE(auth_rotate_refresh, 5);
/* $1 token hash: what a token that could not be rotated is: one row (TOKEN_COL_*), or none. */
enum { TOKEN_COL_FAMILY_ID, TOKEN_COL_USER_ID, TOKEN_COL_REVOKED };
STATEMENT_DECLARE(auth_refresh_state, 1);

/* $1 family. */
STATEMENT_DECLARE(auth_revoke_family, 1);
/* $1 token hash: revokes the family it belongs to (nothing when the token is unknown). */
STATEMENT_DECLARE(auth_revoke_family_of, 1);
/* $1 user, $2 family: one row per token revoked (none: not the user's, or not live). */
STATEMENT_DECLARE(auth_revoke_session, 2);

/* $1 user, $2 the caller's family: live sessions, most recently used first (auth_session_columns). */
STATEMENT_DECLARE(auth_sessions, 2);

#endif
