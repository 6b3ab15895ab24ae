/*
 * router.c — matching a request against a module's route table and running the
 * checks every route declares before its handler (rule 1 of the house: routes are data).
 *
 * Order: match (404/405) → admit the caller (401/403, CSRF) → body (413/415/400) →
 * query (400) → handler. Path segments ":name" must be UUIDs unless the route has
 * text_params; a malformed id is a 404, never a database error.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "internal.h"
#include "json_reader.h"
#include "log.h"
#include "uuid.h"

/* Compares one path against one pattern, collecting ":params" into req. */
static bool path_matches(struct request *req, const struct route *route, const char *path)
{
	const char *p = route->path, *s = path;
	int nparams = 0;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
		if (*p == ':') {
			if (slen == 0 || nparams >= REQUEST_MAX_PARAMS)
				return false;
			req->param_names[nparams] = arena_strndup(req->arena, p + 1, plen - 1);
			req->param_values[nparams] = arena_strndup(req->arena, s, slen);
			nparams++;
		} else if (plen != slen || strncmp(p, s, plen) != 0) {
			return false;
		}
		p += plen;
		s += slen;
	}
	if (*p || *s)
		return false;
	req->param_count = nparams;
	return true;
}

int router_match(struct request *req, const struct route *routes)
{
	/* "/api/devices/" and "/api/devices" are the same resource. */
	const char *path = req->path;
	size_t len = strlen(path);
	if (len > 1 && path[len - 1] == '/')
		path = arena_strndup(req->arena, path, len - 1);
	bool path_known = false;
	const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	for (const struct route *r = routes; r->method; r++) {
		if (!path_matches(req, r, path))
			continue;
		path_known = true;
		if (strcmp(r->method, method) != 0)
			continue;
		req->route = r;
		for (int i = 0; i < req->param_count && !r->text_params; i++)
			if (!uuid_is_valid(req->param_values[i]))
				return reply_error(req, 404, "%s: not found", req->param_names[i]);
		return 0;
	}
	if (path_known)
		return reply_error(req, 405, "method %s not allowed on %s", req->method, req->path);
	return reply_error(req, 404, "route %s:%s not found", req->method, req->path);
}

static bool content_type_is_json(const char *ct)
{
	if (!ct)
		return false;
	size_t n = strlen("application/json");
	return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static int read_json_body(struct request *req)
{
	int status = request_read_body(req, (size_t)cfg_int("http.body_limit"));
	if (status)
		return status;
	if (req->route->raw_body)
		return 0;
	const char *error = NULL;
	if (req->raw_body_len == 0) {
		/* No body at all: validate as an empty object, so required fields are named. */
		req->body = json_parse(req->arena, "{}", 2, 2, &error);
	} else {
		if (!content_type_is_json(req->content_type))
			return reply_error(req, 415, "content-type: must be application/json");
		int depth = (int)cfg_int("http.json_max_depth");
		req->body = json_parse(req->arena, req->raw_body, req->raw_body_len, depth, &error);
		if (!req->body)
			return reply_error(req, 400, "body: %s", error);
	}
	const char *problem = schema_validate_object(req->arena, req->body, req->route->body);
	return problem ? reply_error(req, 400, "%s", problem) : 0;
}

static const char *query_lookup_request(const void *ctx, const char *name)
{
	return req_query(ctx, name);
}

int router_dispatch(struct request *req, const struct route *routes)
{
	int status = router_match(req, routes);
	if (status)
		return status;
	status = caller_admit(req);
	if (status)
		return status;
	if (req->route->body || req->route->raw_body) {
		status = read_json_body(req);
		if (status)
			return status;
	}
	if (req->route->query) {
		const char *problem = schema_validate_query(req->arena, query_lookup_request, req, req->route->query);
		if (problem)
			return reply_error(req, 400, "%s", problem);
	}
	return req->route->handler(req);
}

static void who_names(unsigned who, char *out, size_t cap)
{
	static const struct { unsigned bit; const char *name; } kinds[] = {
		{ CALLER_MEMBER, "member" }, { CALLER_ADMIN, "admin" }, { CALLER_OWNER, "owner" },
		{ CALLER_DEVICE, "device" }, { CALLER_AGENT, "agent" },
	};
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (who & kinds[i].bit)
			n += (size_t)snprintf(out + n, cap - n, "%s\"%s\"", n ? "," : "", kinds[i].name);
}

static const char *field_type_name(enum field_type t)
{
	static const char *const names[] = {
		[FIELD_STRING] = "string", [FIELD_INT] = "integer", [FIELD_NUMBER] = "number",
		[FIELD_BOOL] = "boolean",  [FIELD_UUID] = "uuid",   [FIELD_EMAIL] = "email",
		[FIELD_ENUM] = "enum",     [FIELD_TIME] = "time",   [FIELD_OBJECT] = "object",
		[FIELD_ARRAY] = "array",   [FIELD_ANY] = "any",
	};
	_Static_assert(sizeof names / sizeof names[0] == FIELD_ANY + 1, "a name for every field type");
	return names[t];
}

/* The top-level members of a schema, so tests can build wrong inputs for each. */
static void print_fields(const struct field *fields)
{
	printf("[");
	for (const struct field *f = fields; f && f->name; f++)
		printf("%s{\"name\":\"%s\",\"type\":\"%s\",\"required\":%s}", f == fields ? "" : ",",
		       f->name, field_type_name(f->type), f->required ? "true" : "false");
	printf("]");
}

void router_print(const char *module, const struct route *routes)
{
	for (const struct route *r = routes; r->method; r++) {
		char who[128];
		who_names(r->who, who, sizeof who);
		printf("{\"module\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"public\":%s,\"who\":[%s],"
		       "\"body\":%s,\"rawBody\":%s,\"textParams\":%s,\"fields\":",
		       module, r->method, r->path, r->who == WHO_PUBLIC ? "true" : "false", who,
		       r->body ? "true" : "false", r->raw_body ? "true" : "false", r->text_params ? "true" : "false");
		print_fields(r->body);
		printf("}\n");
	}
}
