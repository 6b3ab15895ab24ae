/*
 * service.c — rules of the device-events module (api-device-events).
 *
 * The route's schema has already checked each query parameter's shape; what is left is
 * what a schema cannot say: the page size against events.page_limit, a time window that
 * runs forwards, and a paging cursor that must be one this module made. The cursor is
 * the position of the last item shown, (created_at in epoch microseconds, id), so the
 * next page starts strictly after it even when many events share a timestamp.
 * Settings may name only the events the device's type lists in the registry.
 * No SQL text here, and nothing from a malformed cursor ever reaches the database.
 */
#include "service.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "crypto.h"
#include "json_reader.h"
#include "timeutil.h"
#include "uuid.h"

/* "<µs>:<uuid>": at most 20 characters of number, 1 colon, 36 of UUID. */
#define CURSOR_TEXT_MAX (20 + 1 + 36)

long event_page_max(long configured)
{
	return configured < EVENTS_PAGE_MAX ? configured : EVENTS_PAGE_MAX;
}

char *event_cursor_encode(struct arena *arena, const char *created_us, const char *id)
{
	char *text = arena_printf(arena, "%s:%s", created_us, id);
	return base64url_encode(arena, text, strlen(text));
}

/* Decodes unpadded base64url into out (cap bytes, NUL-terminated); -1 if invalid. */
static int base64url_decode_text(const char *s, char *out, size_t cap)
{
	long n = base64url_decode(s, strlen(s), out, cap - 1);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return memchr(out, '\0', (size_t)n) ? -1 : 0; /* no NUL inside the text */
}

bool event_cursor_decode(struct arena *arena, const char *cursor, long long *created_us, const char **id)
{
	char text[CURSOR_TEXT_MAX + 1];
	if (!cursor || base64url_decode_text(cursor, text, sizeof text) != 0)
		return false;
	char *colon = strchr(text, ':');
	if (!colon)
		return false;
	*colon = '\0';
	const char *us_text = text, *uuid = colon + 1;
	if (!uuid_is_valid(uuid) || strpbrk(uuid, "ABCDEF"))
		return false;
	const char *digits = us_text[0] == '-' ? us_text + 1 : us_text;
	if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits))
		return false;
	errno = 0;
	long long us = strtoll(us_text, NULL, 10);
	if (errno || !event_time_text(arena, us))
		return false;
	/* Only the exact form event_cursor_encode() makes: no leading zeros or "-0" (the
	 * number printed back must be the same text), no stray bits in the last digit. */
	char *canonical_us = arena_printf(arena, "%lld", us);
	if (strcmp(canonical_us, us_text) != 0 || strcmp(event_cursor_encode(arena, canonical_us, uuid), cursor) != 0)
		return false;
	*created_us = us;
	*id = arena_strdup(arena, uuid);
	return true;
}

char *event_time_text(struct arena *arena, long long epoch_us)
{
	return time_rfc3339_us(arena, epoch_us);
}

/* A validated RFC 3339 query value as event_time_text() (*text NULL when absent) and in
 * epoch milliseconds. 0, or the status replied: 400 outside the years 0001 to 9999. */
static int query_time_or_reply(struct request *req, const char *name, const char **text, long long *ms)
{
	const char *s = req_query(req, name);
	*text = NULL;
	if (!s || time_parse_rfc3339(s, ms) != 0)
		return 0;
	if (*ms > LLONG_MAX / 1000 || *ms < LLONG_MIN / 1000 || !(*text = event_time_text(req->arena, *ms * 1000)))
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

	long max = event_page_max(cfg_int("events.page_limit"));
	const char *limit_text = req_query(req, "limit");
	*limit = limit_text ? atol(limit_text) : (EVENTS_PAGE_DEFAULT < max ? EVENTS_PAGE_DEFAULT : max);
	if (*limit < 1 || *limit > max)
		return reply_error(req, 400, "limit: must be an integer between 1 and %ld", max);
	filter->fetch = arena_printf(req->arena, "%ld", *limit + 1);

	const char *before = req_query(req, "before");
	long long before_us = 0;
	if (before && !event_cursor_decode(req->arena, before, &before_us, &filter->before_id))
		return reply_error(req, 400, "before: invalid cursor");
	filter->before = before ? event_time_text(req->arena, before_us) : NULL;
	return 0;
}

/* Whether name is one of the strings of the JSON array list. */
static bool list_has(struct json_object *list, const char *name)
{
	size_t n = list && json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *item = json_object_get_string(json_object_array_get_idx(list, i));
		if (item && strcmp(item, name) == 0)
			return true;
	}
	return false;
}

const char *event_settings_problem(struct arena *arena, const char *type, struct json_object *type_events,
				   struct json_object *settings)
{
	size_t n = settings ? json_object_array_length(settings) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *action = json_get_string(json_object_array_get_idx(settings, i), "action");
		if (!action || !list_has(type_events, action))
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
