/*
 * routes.c — api-health: is the station up and can it reach its database?
 *
 * GET /api/health is public (the station-agent and load balancers poll it) and answers
 * 200 {status:"ok",version,db:"ok"}, or 503 with Retry-After when Postgres is down —
 * quickly, because a dead connection is noticed before a statement is sent and a new
 * one is bounded by db.connect_timeout.
 */
#include "build_config.h" /* PACKAGE_VERSION */
#include "repo.h"
#include "runtime.h"

static const char *const health_ok[] = { "ok", NULL };
static const struct field health_reply[] = {
	{ "status", FIELD_ENUM, .values = health_ok },
	{ "version", FIELD_STRING },
	{ "db", FIELD_ENUM, .values = health_ok },
	{ 0 },
};

static int health_get(struct request *req)
{
	if (!db_run(req, health_ping))
		return req->status;
	jw_object_of_strings(reply_json(req), "status", "ok", "version", PACKAGE_VERSION, "db", "ok", NULL);
	return reply_ok(req);
}

static const struct route health_routes[] = {
	{ "GET", "/api/health", health_get, WHO_PUBLIC, .reply = REPLY_OBJECT(health_reply),
	  .summary = "Is the station up and can it reach its database?" },
	{ 0 },
};

WORKER_MAIN("health", health_routes, NULL);
