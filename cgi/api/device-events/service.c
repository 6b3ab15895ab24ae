/*
 * service.c — rules of the device-events module (api-device-events).
 *
 * The route's schema has already checked each query parameter's shape; what is left is
 * what a schema cannot say: the page size against events.page_limit, a time window that
 * runs forwards, and a paging cursor that must be one this module made (the codec is
 * ../shared/page_cursor.c, shared with the other paged histories).
 * Settings may name only the events the device's type lists in the registry.
 * No SQL text here, and nothing from a malformed cursor ever reaches the database.
 */
#include "service.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "json_reader.h"
#include "timeutil.h"

long event_page_max(long configured)
{
	return configured < EVENTS_PAGE_MAX ? configured : EVENTS_PAGE_MAX;
}

/* A validated RFC 3339 query value as page_time_text() (*text NULL when absent) and in
 * epoch milliseconds. 0, or the status replied: 400 outside the years 0001 to 9999. */
static int query_time_or_reply(struct request *req, const char *name, const char **text, long long *ms)
{
	const char *s = req_query(req, name);
	*text = NULL;
	if (!s || time_parse_rfc3339(s, ms) != 0)
		return 0;
	if (*ms > LLONG_MAX / 1000 || *ms < LLONG_MIN / 1000 || !(*text = page_time_text(req->arena, *ms * 1000)))
		return reply_error(req, 400, "%s: must be between 0001-01-01 and 9999-12-31", name);
	return 0;
}

int event_filter_or_reply(struct request *req, struct event_filter *filter, long *limit)
{
	memset(filter, 0, sizeof *filter);
	filter->device_id = req_query(req, "deviceId");
	filter->kind = req_query(req, "kind");

	long long since = 0, until = 0;
	if (query_time_or_reply(req, "since", &filter->since, &since) ||
	    query_time_or_reply(req, "until", &filter->until, &until))
		return req->status;
	if (filter->since && filter->until && until < since)
		return reply_error(req, 400, "until: must not be earlier than since");

	struct page page;
	if (page_or_reply(req, event_page_max(cfg_int("events.page_limit")), EVENTS_PAGE_DEFAULT, &page))
		return req->status;
	*limit = page.limit;
	filter->fetch = page.fetch;
	filter->before = page.before;
	filter->before_id = page.before_id;
	return 0;
}

const char *event_settings_problem(struct arena *arena, const char *type, struct json_object *type_events,
				   struct json_object *settings)
{
	size_t n = settings ? json_object_array_length(settings) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *action = json_get_string(json_object_array_get_idx(settings, i), "action");
		if (!action || !json_array_has_string(type_events, action))
			return arena_printf(arena, "events[%zu].action: not an event of %s", i, type);
	}
	return NULL;
}

int event_settings_or_reply(struct request *req, const PGresult *device)
{
	const char *problem = event_settings_problem(req->arena, db_value(device, 0, DEVICE_EVENTS_COL_TYPE),
						     db_value_json(req, device, 0, DEVICE_EVENTS_COL_EVENTS),
						     json_get_array(req->body, "events"));
	return problem ? reply_error(req, 400, "%s", problem) : 0;
}
