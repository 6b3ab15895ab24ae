/*
 * routes.c — api-users: who is in the household, read-only (SPEC §4 users).
 *
 * The members of the station as User JSON (user_repo.h), each with its station role;
 * accounts that are not members (cloud users cached by cloud-sync, say) are not shown.
 * Changing people is user-management's; this module never writes and never selects a
 * password hash. All SQL is the station repository's (station_repo.c).
 */
#include "runtime.h"
#include "station_repo.h"

/* GET /api/users — the members, by name. */
static int user_list(struct request *req)
{
	return reply_rows(req, db_run(req, station_users), user_columns);
}

/* GET /api/users/:id — one member; 404 for anyone else. */
static int user_get(struct request *req)
{
	return reply_row_or_404(req, db_run(req, station_user, req_param(req, "id")), user_columns, "user not found");
}

static const struct route user_routes[] = {
	{ "GET", "/api/users", user_list, WHO_MEMBER, .reply = REPLY_ROWS(user_columns),
	  .summary = "The members of the station, by name, with their station role" },
	{ "GET", "/api/users/:id", user_get, WHO_MEMBER, .reply = REPLY_ROW(user_columns),
	  .summary = "One member of the station" },
	{ 0 },
};

WORKER_MAIN("users", user_routes, NULL);
