/*
 * test_request.c — the query string as request.c reads it: %-decoding, and values that
 * are not valid UTF-8 (lib/utf8.c) kept out of the handlers and answered with a 400 that
 * names the parameter; and the tag of a list's view (view_etag).
 */
#include <string.h>

#include "internal.h"
#include "tap.h"

static struct request *request_with_query(struct arena *a, const char *query)
{
	return request_new(a, "GET", "/api/devices", query);
}

/* The message of the 400 the query gets, or NULL when it passes. */
static const char *query_problem(struct arena *a, const char *query)
{
	struct request *req = request_with_query(a, query);
	if (request_query_utf8_or_reply(req) == 0)
		return NULL;
	return req->status == 400 ? req->out.data : "(not a 400)";
}

int main(void)
{
	struct arena *a = arena_new();
	struct request *req = request_with_query(a, "q=caf%C3%A9&type=light+bulb&empty=&flag");
	is_str(req_query(req, "q"), "caf\xC3\xA9", "%%-decoded UTF-8");
	is_str(req_query(req, "type"), "light bulb", "+ is a space");
	is_str(req_query(req, "empty"), "", "an empty value");
	is_str(req_query(req, "flag"), "", "a name alone");
	is_str(req_query(req, "other"), NULL, "absent");
	ok(request_query_utf8_or_reply(req) == 0, "a valid query passes");

	is_str(query_problem(a, "q=%E2%82%AC%F0%9F%98%80"), NULL, "3- and 4-byte characters pass");
	is_str(query_problem(a, "q=%E0%80%80"),
	       "{\"statusCode\":400,\"error\":\"Bad Request\",\"message\":\"q: must be valid UTF-8\"}",
	       "an overlong form (E0 80 80): 400 naming the parameter");
	is_str(query_problem(a, "ok=1&zoneId=%C0%80"),
	       "{\"statusCode\":400,\"error\":\"Bad Request\",\"message\":\"zoneId: must be valid UTF-8\"}",
	       "the parameter named is the bad one");
	ok(query_problem(a, "q=%ED%A0%80") != NULL, "a surrogate (ED A0 80)");
	ok(query_problem(a, "q=%F4%90%80%80") != NULL, "over U+10FFFF (F4 90 80 80)");
	ok(query_problem(a, "q=%F0%80%80%80") != NULL, "an overlong 4-byte form (F0 80 80 80)");
	ok(query_problem(a, "q=%C3") != NULL, "a truncated sequence");
	ok(query_problem(a, "q=%FF") != NULL, "a byte that is never UTF-8");
	is_str(query_problem(a, "%FF=1"),
	       "{\"statusCode\":400,\"error\":\"Bad Request\",\"message\":\"query: must be valid UTF-8\"}",
	       "a name that is not UTF-8 cannot be named");

	req = request_with_query(a, "q=%E0%80%80&type=x");
	is_str(req_query(req, "q"), NULL, "a handler never sees an invalid value");
	is_str(req_query(req, "type"), "x", "the valid ones are there");

	const struct view_input light[] = { { "type", "light" }, { "q", NULL }, { NULL, NULL } };
	const struct view_input light_empty_q[] = { { "type", "light" }, { "q", "" }, { NULL, NULL } };
	const struct view_input pir[] = { { "type", "pir" }, { "q", NULL }, { NULL, NULL } };
	const struct view_input moved[] = { { "type", "" }, { "q", "light" }, { NULL, NULL } };
	const char *tag = view_etag(req, "17", light);
	ok(strncmp(tag, "W/\"17-", 6) == 0 && strlen(tag) == 6 + 16 + 1 && tag[strlen(tag) - 1] == '"',
	   "a view's tag: W/\"<version>-<16 hex digits>\"");
	is_str(view_etag(req, "17", light), tag, "the same view, the same tag");
	is_str(view_etag(req, "17", light_empty_q), tag, "an empty filter is no filter");
	ok(strcmp(view_etag(req, "18", light), tag) != 0, "another version, another tag");
	ok(strcmp(view_etag(req, "17", pir), tag) != 0, "another filter value, another tag");
	ok(strcmp(view_etag(req, "17", moved), tag) != 0, "a value under another name, another tag");

	arena_destroy(a);
	return done();
}
