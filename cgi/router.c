/*
 * router.c — matching a request against a module's route table and running the
 * checks every route declares before its handler (rule 1 of the house: routes are data).
 *
 * Order: match (404/405) → admit the caller (401/403, CSRF) → JSON body (413/415/400; a
 * raw_body route's handler streams its body itself) →
 * query (400, also for a value that is not strict UTF-8) → open the route's transaction → handler → commit on success, else roll
 * back. Path segments ":name" must be UUIDs unless the route has
 * text_params; a malformed id is a 404, never a database error. A path matches exactly:
 * a trailing slash is another path (404).
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
	/* A route has one spelling: "/api/devices/" is not "/api/devices". nginx limits some
	 * paths by their exact spelling (location = /api/auth/login), so a router that
	 * accepted a second spelling would let it bypass the limit (docs/security.md). */
	const char *path = req->path;
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
	const char *problem = schema_validate_object(req->arena, req->body, req->route->body, req, &status);
	return problem ? reply_error(req, status, "%s", problem) : 0;
}

static const char *query_lookup_request(const void *ctx, const char *name)
{
	return req_query(ctx, name);
}

/* Arena cleanup: whatever happened, no transaction outlives the request's memory. */
static void rollback_if_open(void *db)
{
	if (db_in_transaction(db)) {
		struct arena *scratch = arena_new();
		db_rollback(db, scratch);
		arena_destroy(scratch);
	}
}

/* Opens the route's transaction; 0 or the status replied (503 when the database is down). */
static int transaction_open(struct request *req)
{
	enum route_tx tx = req->route->tx;
	if (tx == TX_NONE)
		return 0;
	enum db_status st = tx == TX_READ ? db_begin_read_only(req->db, req->arena) : db_begin(req->db, req->arena);
	if (st != DB_OK)
		return reply_db_error(req, st, NULL);
	arena_on_reset(req->arena, rollback_if_open, req->db);
	return 0;
}

/* Commits when the reply is a success, else rolls back; a failed commit replaces the reply. */
static void transaction_close(struct request *req)
{
	if (!db_in_transaction(req->db))
		return;
	if (req->status < 200 || req->status > 299) {
		db_rollback(req->db, req->arena);
		return;
	}
	enum db_status st = db_commit(req->db, req->arena);
	if (st != DB_OK)
		reply_db_error(req, st, NULL);
}

/* Runs the handler; its return value and the reply must agree, and be declared. */
static void run_handler(struct request *req)
{
	const struct route *r = req->route;
	int returned = r->handler(req);
	if (req->status == 0 || returned != req->status) {
		log_error("handler of %s %s returned %d but replied %d", r->method, r->path, returned, req->status);
		reply_error(req, 500, "handler status mismatch");
	} else if (!route_may_answer(r, req->status)) {
		log_error("%s %s answered %d, which its route does not declare", r->method, r->path, req->status);
	}
}

void router_dispatch(struct request *req, const struct route *routes)
{
	if (router_match(req, routes) || caller_admit(req))
		return;
	if (req->route->body && read_json_body(req))
		return;
	if (request_query_utf8_or_reply(req))
		return;
	if (req->route->query) {
		const char *problem = schema_validate_query(req->arena, query_lookup_request, req, req->route->query);
		if (problem) {
			reply_error(req, 400, "%s", problem);
			return;
		}
	}
	if (transaction_open(req))
		return;
	run_handler(req);
	transaction_close(req);
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
