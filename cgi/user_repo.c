/*
 * user_repo.c — the User JSON map and the password and session statements shared by auth,
 * users and user-management (user_repo.h). SQL only; a password hash is written here,
 * never read.
 */
#include "user_repo.h"

const struct db_column user_columns[] = { USER_COLUMN_ENTRIES, { 0 } };

/* One statement, so that the new password and the end of the other sessions are one
 * change without a transaction around them (change-password runs without one). */
STATEMENT(user_set_password,
	"WITH changed AS ("
	"  UPDATE users SET password_hash = $2::text, updated_at = now() WHERE id = $1::uuid RETURNING id) "
	"UPDATE refresh_tokens SET revoked_at = now() "
	"WHERE user_id = (SELECT id FROM changed) AND revoked_at IS NULL AND family_id IS DISTINCT FROM $3::uuid");

STATEMENT(user_revoke_sessions,
	"UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1::uuid AND revoked_at IS NULL");
