/*
 * fuzz_query.c — the query string as the REST runtime reads it (cgi/request.c): pairs
 * split on '&' and '=', %-decoded, UTF-8 checked; then lib/schema.c's query validation.
 * The input is QUERY_STRING as nginx passes it (a C string, no NUL inside).
 *
 * Invariants: a decoded value is never longer than the input; req_query never hands a
 * handler a name or value that is not valid UTF-8; request_query_utf8_or_reply and
 * req_query agree (a query that passes has every pair readable).
 */
#include "fuzz.h"
#include "internal.h"
#include "schema.h"
#include "utf8.h"

static const char *const kinds[] = { "user_event", "device_event", NULL };
static const struct field query_fields[] = {
	{ "limit", FIELD_INT, .min = BOUND(1), .max = BOUND(500) },
	{ "deviceId", FIELD_UUID },
	{ "kind", FIELD_ENUM, .values = kinds },
	{ "since", FIELD_TIME },
	{ "q", FIELD_STRING, .max = BOUND(64) },
	{ "flag", FIELD_BOOL },
	{ NULL },
};

static const char *lookup(const void *ctx, const char *name)
{
	return req_query(ctx, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const char *query = fuzz_text(a, data, size);
	struct request *req = request_new(a, "GET", "/api/device-events", query);
	static const char *const names[] = { "limit", "deviceId", "kind", "since", "q", "flag", "a", "" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = req_query(req, names[i]);
		FUZZ_CHECK(!v || (strlen(v) <= strlen(query) && utf8_valid(v, strlen(v))));
	}
	schema_validate_query(a, lookup, req, query_fields);
	int status = request_query_utf8_or_reply(req);
	FUZZ_CHECK(status == 0 || (status == 400 && req->status == 400));
	arena_destroy(a);
	return 0;
}
