/*
 * user_repo.h — the User JSON of SPEC §4 (`{id,email,name,role,source,lastLoginAt,
 * createdAt,updatedAt}`) and the SQL about an account's password and sessions, shared by
 * the modules that show or manage people: auth, users, user-management.
 *
 * A statement that returns users selects USER_SELECT (or USER_SELECT_ROLE with the role
 * it means: the station role from station_members) first, so its rows are written with
 * user_columns; a map that says more about a user starts with USER_COLUMN_ENTRIES. No
 * statement here or beside these maps ever selects a password hash for output.
 */
#ifndef STATION_CGI_USER_REPO_H
#define STATION_CGI_USER_REPO_H

#include "statement.h"

/* The user columns, `u` being users, with `role` the SQL of the role to show. */
#define USER_SELECT_ROLE(role) \
	"u.id, u.email, u.name, " role ", u.source, u.last_login_at, u.created_at, u.updated_at"
#define USER_SELECT USER_SELECT_ROLE("u.role")

/* The map of those columns, in their order: change them together. */
#define USER_COLUMN_ENTRIES                                                                   \
	{ "id", DBK_STRING }, { "email", DBK_STRING }, { "name", DBK_STRING }, { "role", DBK_STRING }, \
	{ "source", DBK_STRING }, { "lastLoginAt", DBK_TIME }, { "createdAt", DBK_TIME },       \
	{ "updatedAt", DBK_TIME }

/* The User JSON. */
extern const struct db_column user_columns[];
enum { USER_COL_ID, USER_COL_EMAIL, USER_COL_NAME, USER_COL_ROLE, USER_COL_SOURCE, USER_COL_COUNT = 8 };

/* $1 user, $2 password hash, $3 session (refresh-token family) to keep, NULL for none:
 * sets the password and revokes every other session of the user, in one statement. */
STATEMENT_DECLARE(user_set_password, 3);
/* $1 user: revokes every live session of the user (each refresh-token family). */
STATEMENT_DECLARE(user_revoke_sessions, 1);

#endif
