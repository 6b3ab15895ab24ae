/*
 * station_repo.h — the station and who belongs to it: the one place that knows what "a
 * member of this station" is (a row of station_members, whose role is the station role
 * that authorizes every request through station_access_role()). Used by auth (the
 * first owner), users (who is in the household) and user-management (adding, changing
 * and removing members).
 *
 * There is exactly one station row (station-migrate makes it; station_singleton), so
 * every membership row is one of this station. SQL only: the rules about who may change
 * whom, and the last-owner rule as an answer, are user-management's (service.c); the
 * database refuses a station without an owner by itself (sql/migrations/011_members.sql).
 */
#ifndef STATION_CGI_STATION_REPO_H
#define STATION_CGI_STATION_REPO_H

#include "statement.h"
#include "user_repo.h"

/* A member: the User JSON with its station role, then joinedAt (when it became a member). */
extern const struct db_column member_columns[];

/* The station's id (its MQTT stationId): one row, or none before station-migrate ran. */
STATEMENT_DECLARE(station_id, 0);

/* $1 user, $2 role: makes the user a member: one row (user id, role), or none without a
 * station row. */
STATEMENT_DECLARE(station_add_member, 2);

/* $1 user: the member's role (MEMBER_COL_ROLE) and account source (MEMBER_COL_SOURCE),
 * its membership row locked until the transaction ends; no row for a non-member. */
enum { MEMBER_COL_ROLE, MEMBER_COL_SOURCE };
STATEMENT_DECLARE(station_lock_member, 1);

/*
 * The owners, each row locked until the transaction ends, always in the same order (by
 * user id) so that two transactions taking them cannot deadlock. One column, the user id.
 * Rows demoted or removed by a transaction that committed while this one waited are not
 * returned: what comes back are owners that stay owners until this transaction ends.
 */
STATEMENT_DECLARE(station_lock_owners, 0);

/* $1 user, $2 role: the member's new station role (the account's users.role follows it);
 * the member (member_columns), or no row for a non-member. */
STATEMENT_DECLARE(station_set_role, 2);

/* $1 user: ends the membership; one row (the user id), or none for a non-member. */
STATEMENT_DECLARE(station_remove_member, 1);

/* The members as users (user_columns, role = station role), by name; and one of them ($1). */
STATEMENT_DECLARE(station_users, 0);
STATEMENT_DECLARE(station_user, 1);
/* The members (member_columns), by name. */
STATEMENT_DECLARE(station_members, 0);
/* $1 email (any case): one row when a member has this email. */
STATEMENT_DECLARE(station_member_by_email, 1);

#endif
