/*
 * repo.c — SQL of station-wsd (see repo.h).
 *
 * The only file of wsd that holds SQL; statements are fixed and take their values as
 * parameters. Membership is read from station_members joined to users, so a deleted
 * user and a removed member look the same: not a member. Never select a secret here.
 */
#include "repo.h"

const char *const wsd_repo_channels[] = { "station_events", NULL };

static struct db_stmt is_member_stmt = DB_STMT(1,
	"SELECT EXISTS (SELECT 1 FROM station_members m JOIN users u ON u.id = m.user_id "
	"               WHERE m.user_id = $1::uuid)");

static struct db_stmt non_members_among_stmt = DB_STMT(1,
	"SELECT DISTINCT t.user_id::text FROM unnest($1::uuid[]) AS t(user_id) "
	"WHERE NOT EXISTS (SELECT 1 FROM station_members m JOIN users u ON u.id = m.user_id "
	"                  WHERE m.user_id = t.user_id)");

enum db_status wsd_repo_is_member(struct db *db, struct arena *arena, const char *user_id, bool *member)
{
	PGresult *res;
	const char *params[] = { user_id };
	enum db_status st = db_exec(db, arena, &is_member_stmt, params, &res);
	if (st == DB_OK)
		*member = PQntuples(res) == 1 && db_bool(res, 0, 0);
	return st;
}

enum db_status wsd_repo_non_members_among(struct db *db, struct arena *arena, const char *ids, PGresult **out)
{
	const char *params[] = { ids };
	return db_exec(db, arena, &non_members_among_stmt, params, out);
}
