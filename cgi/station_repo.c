/*
 * station_repo.c — SQL of the station and its membership (station_repo.h). Every
 * statement is fixed text with parameters; MEMBER_SELECT and member_columns are one pair.
 */
#include "station_repo.h"

/* The station role is the one that counts: station_members', not users'. */
#define MEMBER_USER_SELECT USER_SELECT_ROLE("m.role")
#define MEMBER_SELECT MEMBER_USER_SELECT ", m.created_at"
#define MEMBERS_BY_NAME "ORDER BY lower(COALESCE(u.name, u.email)), u.id"

const struct db_column member_columns[] = { USER_COLUMN_ENTRIES, { "joinedAt", DBK_TIME }, { 0 } };

STATEMENT(station_id, "SELECT id FROM station LIMIT 1");

STATEMENT(station_add_member,
	"INSERT INTO station_members (station_id, user_id, role) "
	"SELECT s.id, $1::uuid, $2::text FROM station s "
	"RETURNING user_id, role");

STATEMENT(station_lock_member,
	"SELECT m.role, u.source FROM station_members m JOIN users u ON u.id = m.user_id "
	"WHERE m.user_id = $1::uuid FOR UPDATE OF m");

STATEMENT(station_lock_owners,
	"SELECT m.user_id FROM station_members m WHERE m.role = 'owner' ORDER BY m.user_id FOR UPDATE");

STATEMENT(station_set_role,
	"WITH m AS ("
	"  UPDATE station_members SET role = $2::text WHERE user_id = $1::uuid RETURNING user_id, role, created_at), "
	"u AS ("
	"  UPDATE users SET role = $2::text, updated_at = now() WHERE id IN (SELECT user_id FROM m) RETURNING *) "
	"SELECT " MEMBER_SELECT " FROM u JOIN m ON m.user_id = u.id");

STATEMENT(station_remove_member,
	"DELETE FROM station_members WHERE user_id = $1::uuid RETURNING user_id");

STATEMENT(station_users,
	"SELECT " MEMBER_USER_SELECT " FROM station_members m JOIN users u ON u.id = m.user_id " MEMBERS_BY_NAME);

STATEMENT(station_user,
	"SELECT " MEMBER_USER_SELECT " FROM station_members m JOIN users u ON u.id = m.user_id "
	"WHERE m.user_id = $1::uuid");

STATEMENT(station_members,
	"SELECT " MEMBER_SELECT " FROM station_members m JOIN users u ON u.id = m.user_id " MEMBERS_BY_NAME);

STATEMENT(station_member_by_email,
	"SELECT m.user_id FROM station_members m JOIN users u ON u.id = m.user_id "
	"WHERE lower(u.email) = lower($1::text)");
