/*
 * repo.c — SQL of station-wsd (see repo.h).
 *
 * The only file of wsd that holds SQL; statements are fixed and take their values as
 * parameters. Whether a token still admits its user is station_access_role()
 * (sql/migrations/007_sign_in.sql), the very rule the REST runtime applies to every
 * request: the session is live and the user a member. A deleted user, a removed member
 * and an ended session look the same: not admitted. Never select a secret here.
 */
#include "repo.h"

#include <stdio.h>

#include "statement.h"

const char *const wsd_repo_channels[] = { "station_events", NULL };

STATEMENT_LOCAL(wsd_is_admitted, 3,
	"SELECT station_access_role($1::uuid, $2::uuid, $3::integer) IS NOT NULL");

STATEMENT_LOCAL(wsd_no_longer_admitted, 3,
	"SELECT DISTINCT t.user_id::text, t.session_id::text "
	"FROM unnest($1::uuid[], $2::uuid[]) AS t(user_id, session_id) "
	"WHERE station_access_role(t.user_id, t.session_id, $3::integer) IS NULL");

enum db_status wsd_repo_is_admitted(struct db *db, struct arena *arena, const char *user_id, const char *session_id,
				    long max_days, bool *admitted)
{
	PGresult *res = NULL;
	char days[24];
	snprintf(days, sizeof days, "%ld", max_days);
	enum db_status st = statement_exec(db, arena, wsd_is_admitted, &res, user_id, session_id, days);
	if (st == DB_OK)
		*admitted = PQntuples(res) == 1 && db_bool(res, 0, 0);
	return st;
}

enum db_status wsd_repo_no_longer_admitted(struct db *db, struct arena *arena, const char *user_ids,
					   const char *session_ids, long max_days, PGresult **out)
{
	char days[24];
	snprintf(days, sizeof days, "%ld", max_days);
	return statement_exec(db, arena, wsd_no_longer_admitted, out, user_ids, session_ids, days);
}
