/*
 * contract.c — what a route promises to answer, read from its declaration alone.
 *
 * The runtime checks every reply against it (an undeclared status is logged as an
 * error), and the API document lists the same statuses, so the contract test and the
 * code cannot disagree about what a route may say. Implied errors follow from the
 * declaration: a body or query can be refused (400), a route that is not public
 * authenticates (401) and authorizes (403), path ids may not exist (404), bodies can be
 * too large or of the wrong type (413, 415), and the CSRF guard (caller.c) refuses an
 * unsafe request carrying a cookie that is not JSON (415) or comes from another origin
 * (403) — on public routes too; every route can fail (500) or find the database down (503).
 * A conditional route may also say 304 Not Modified: neither its success nor an error.
 */
#include <string.h>

#include "internal.h"

/* Beyond the ERR_* a handler declares: the runtime's own refusals of a body. */
#define ERR_413 (1u << 14)
#define ERR_415 (1u << 15)

static unsigned implied_errors(const struct route *r)
{
	unsigned errors = r->errors;
	if (r->body || r->query || r->raw_body)
		errors |= ERR_400;
	if (r->body || r->raw_body)
		errors |= ERR_413 | ERR_415;
	if (r->who != WHO_PUBLIC)
		errors |= ERR_401 | ERR_403;
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		errors |= ERR_403 | ERR_415; /* the CSRF guard */
	if (strchr(r->path, ':'))
		errors |= ERR_404;
	return errors;
}

int route_success_status(const struct route *r)
{
	return r->status ? r->status : r->reply.kind == REPLY_KIND_NONE ? 204 : 200;
}

void route_error_statuses(const struct route *r, int out[16])
{
	static const struct { unsigned bit; int status; } table[] = {
		{ ERR_400, 400 }, { ERR_401, 401 }, { ERR_403, 403 }, { ERR_404, 404 }, { ERR_409, 409 },
		{ ERR_413, 413 }, { ERR_415, 415 }, { ERR_429, 429 },
	};
	unsigned errors = implied_errors(r);
	int n = 0;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (errors & table[i].bit)
			out[n++] = table[i].status;
	out[n++] = 500;
	out[n++] = 503;
	out[n] = 0;
}

bool route_may_answer(const struct route *r, int status)
{
	if (status == route_success_status(r) || (r->status_alt && status == r->status_alt))
		return true;
	if (status == 304)
		return r->conditional;
	int errors[16];
	route_error_statuses(r, errors);
	for (int i = 0; errors[i]; i++)
		if (errors[i] == status)
			return true;
	return false;
}
