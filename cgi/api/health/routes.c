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

static int health_get(struct request *req)
{
	if (!health_repo_ping(req))
		return req->status;
	struct jw *w = reply_json(req, 200);
	jw_object_begin(w);
	jw_member_string(w, "status", "ok");
	jw_member_string(w, "version", PACKAGE_VERSION);
	jw_member_string(w, "db", "ok");
	jw_object_end(w);
	return 200;
}

static const struct route health_routes[] = {
	{ "GET", "/api/health", health_get, WHO_PUBLIC },
	{ 0 },
};

int main(void)
{
	return worker_main("health", health_routes);
}
