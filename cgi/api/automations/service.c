/*
 * service.c — rules of the automations module (api-automations): see service.h. The
 * graph language and its checks are lib/flow (structure) and ../shared/flow_devices
 * (devices and their types); this file decides when they apply. No SQL here (repo.c).
 */
#include "service.h"

#include <string.h>

#include "api/shared/flow_devices.h"
#include "flow.h"
#include "repo.h"

int automation_publishable_or_reply(struct request *req, struct json_object *flow)
{
	struct flow_problems problems;
	struct flow graph;
	flow_problems_init(&problems, req->arena);
	flow_read(req->arena, flow, NULL, &graph, &problems);
	PGresult *devices = db_run(req, automation_devices, flow_device_refs(req->arena, &graph));
	if (!devices)
		return req->status;
	size_t count;
	struct flow_target *targets = flow_targets_read(req, devices, &count);
	flow_check_targets(req->arena, &graph, NULL, targets, count, "no device", &problems);
	return problems.count ? flow_problems_reply(req, &problems) : 0;
}

int automation_runnable_or_reply(struct request *req, const PGresult *automation)
{
	if (strcmp(db_value(automation, 0, AUTOMATION_COL_STATUS), "published") != 0)
		return reply_error(req, 409, "automation is a draft: publish it before running it");
	return 0;
}

const char *automation_run_ids(struct request *req, const PGresult *runs, long limit)
{
	struct buf b;
	buf_init(&b, req->arena);
	buf_putc(&b, '{');
	for (int i = 0; i < PQntuples(runs) && i < limit; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, db_value(runs, i, RUN_COL_ID)); /* UUIDs from the database */
	}
	buf_putc(&b, '}');
	return b.data;
}
