/*
 * repo.c — api-health's SQL: one round trip to prove the database answers.
 */
#include "repo.h"

static struct db_stmt ping = DB_STMT(0, "SELECT 1");

bool health_repo_ping(struct request *req)
{
	return db_query_or_reply(req, &ping, NULL) != NULL;
}
