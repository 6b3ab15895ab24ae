/*
 * notify.c — the one statement every producer uses to announce on the bus (see notify.h).
 */
#include "notify.h"

static struct db_stmt notify_stmt = DB_STMT(2, "SELECT pg_notify($1, $2)");

enum db_status notify_send(struct db *db, struct arena *arena, const char *channel, const char *payload)
{
	const char *params[] = { channel, payload };
	return db_exec(db, arena, &notify_stmt, params, NULL);
}
