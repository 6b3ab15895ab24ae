/*
 * repo.c — SQL of station-wsd (see repo.h).
 *
 * The only file of wsd that holds SQL; statements are fixed and take their values as
 * parameters. Membership is read from station_members joined to users, so a deleted
 * user and a removed member look the same: not a member. Never select a secret here.
 */
#include "repo.h"

#include "statement.h"

const char *const wsd_repo_channels[] = { "station_events", NULL };

STATEMENT_LOCAL(wsd_is_member, 1,
	"SELECT EXISTS (SELECT 1 FROM station_members m JOIN users u ON u.id = m.user_id "
	"               WHERE m.user_id = $1::uuid)");

STATEMENT_LOCAL(wsd_non_members_among, 1,
	"SELECT DISTINCT t.user_id::text FROM unnest($1::uuid[]) AS t(user_id) "
	"WHERE NOT EXISTS (SELECT 1 FROM station_members m JOIN users u ON u.id = m.user_id "
	"                  WHERE m.user_id = t.user_id)");

enum db_status wsd_repo_is_member(struct db *db, struct arena *arena, const char *user_id, bool *member)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, wsd_is_member, &res, user_id);
	if (st == DB_OK)
		*member = PQntuples(res) == 1 && db_bool(res, 0, 0);
	return st;
}

enum db_status wsd_repo_non_members_among(struct db *db, struct arena *arena, const char *ids, PGresult **out)
{
	return statement_exec(db, arena, wsd_non_members_among, out, ids);
}
