/*
 * repo.c — the runtime's own SQL: resolving a device token to its device.
 */
#include "internal.h"

static struct db_stmt device_by_token = DB_STMT(1,
	"SELECT id, external_id FROM devices WHERE token_hash = $1");

PGresult *runtime_repo_device_by_token(struct request *req, const char *token_hash)
{
	const char *params[] = { token_hash };
	return db_query_or_reply(req, &device_by_token, params);
}
