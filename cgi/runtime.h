/*
 * runtime.h — the FastCGI runtime every REST module is built on.
 *
 * A module declares its routes as a static table and hands it to worker_main():
 *
 *     static const struct route routes[] = {
 *         { "GET", "/api/devices/:id", device_get, WHO_MEMBER },
 *         { "POST", "/api/devices", device_create, WHO_ADMIN, .body = device_create_body },
 *         { 0 }
 *     };
 *     int main(void) { return worker_main("devices", routes); }
 *
 * Before a handler runs the runtime has parsed the request, authenticated the caller,
 * checked `who` against the caller (401/403), checked the Origin and content type of
 * cookie-authenticated writes, validated path ids, the query and the JSON body against
 * the declared schemas (400/404/413/415). Handlers read input through the accessors
 * below, write output with reply_*, and return the HTTP status they produced.
 * All memory comes from req->arena; handlers never call free().
 */
#ifndef STATION_CGI_RUNTIME_H
#define STATION_CGI_RUNTIME_H

#include <json-c/json.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "arena.h"
#include "db.h"
#include "json_writer.h"
#include "schema.h"

/* Who is calling: at most one kind per request. */
enum caller_kind {
	CALLER_ANONYMOUS = 0,
	CALLER_MEMBER = 1 << 0,
	CALLER_ADMIN = 1 << 1,
	CALLER_OWNER = 1 << 2,
	CALLER_DEVICE = 1 << 3,
	CALLER_AGENT = 1 << 4,
};

/* Who may call a route: a set of caller kinds; WHO_PUBLIC lets anyone in. */
#define WHO_PUBLIC 0u
#define WHO_MEMBER (CALLER_MEMBER | CALLER_ADMIN | CALLER_OWNER)
#define WHO_ADMIN (CALLER_ADMIN | CALLER_OWNER)
#define WHO_OWNER (CALLER_OWNER)
#define WHO_DEVICE (CALLER_DEVICE)
#define WHO_AGENT (CALLER_AGENT)

struct caller {
	enum caller_kind kind;
	const char *user_id;     /* users: the account */
	const char *role;        /* users: "owner" | "admin" | "member" */
	const char *session_id;  /* users: refresh-token family of the access token, "" if none */
	const char *device_id;   /* devices: devices.id */
	const char *device_external_id;
	bool via_cookie;         /* the credential came from a cookie (CSRF rules apply) */
};

struct request;
typedef int (*route_handler)(struct request *req);

struct route {
	const char *method;
	/* "/api/devices/:id/command": a ":name" segment must be a UUID (else 404), unless
	 * the route sets text_params, for ids that are not UUIDs (device types, SSIDs). */
	const char *path;
	route_handler handler;
	unsigned who;
	const struct field *body;   /* JSON object schema; NULL: the route takes no body */
	const struct field *query;  /* query-string schema; NULL: no query parameters read */
	bool text_params;
	bool raw_body;              /* body is passed through unparsed (uploads) */
};

#define REQUEST_MAX_PARAMS 4

struct request {
	struct arena *arena;
	struct db *db;
	const struct route *route;
	const char *module;

	const char *method;
	const char *path;           /* without the query string */
	const char *query_string;
	const char *request_id;
	const char *content_type;
	const char *origin;
	const char *host;
	const char *scheme;         /* "http" or "https", as nginx saw it */
	const char *user_agent;
	const char *remote_addr;
	const char *param_names[REQUEST_MAX_PARAMS];
	const char *param_values[REQUEST_MAX_PARAMS];
	int param_count;

	const char *raw_body;
	size_t raw_body_len;
	struct json_object *body;   /* the parsed object when the route has a body schema */

	struct caller caller;

	/* The response being built. */
	int status;
	struct buf headers;
	struct buf out;
	struct jw json;

	void *fcgi;                 /* FCGX_Request, for the runtime only */
	void *query_table;          /* parsed query string, for the runtime only */
};

/* Runs the module: config, secrets, database, pre-forked processes, accept loop. */
int worker_main(const char *module, const struct route *routes);

/* Input. */
const char *req_param(const struct request *req, const char *name);
const char *req_query(const struct request *req, const char *name);
const char *req_header(const struct request *req, const char *cgi_name); /* "HTTP_X_DEVICE_TOKEN" */
const char *req_cookie(const struct request *req, const char *name);
const char *body_string(const struct request *req, const char *key);
bool body_has(const struct request *req, const char *key);
bool body_is_null(const struct request *req, const char *key);
long long body_int(const struct request *req, const char *key, long long fallback);

/* Output. Every reply_* returns the status it set, so handlers `return reply_...(...)`. */
struct jw *reply_json(struct request *req, int status);          /* then write the body */
int reply_empty(struct request *req, int status);
int reply_error(struct request *req, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void reply_header(struct request *req, const char *name, const char *value);
/* Sets an HttpOnly SameSite=Strict cookie; value NULL clears it. */
void reply_cookie(struct request *req, const char *name, const char *value, const char *path, long max_age);
/* The reply for a failed database call: 503 + Retry-After, 409, 400 or 500. */
int reply_db_error(struct request *req, enum db_status status);

/*
 * Runs a statement for the request. Returns the result, or NULL after replying with
 * reply_db_error(); the handler then returns req->status.
 */
PGresult *db_query_or_reply(struct request *req, struct db_stmt *stmt, const char *const *params);
/* Commits the request's transaction: 0, or the status of reply_db_error() when it fails. */
int db_commit_or_reply(struct request *req);
/* Rolls back the request's transaction and replies for the status that failed it. */
int reply_rollback(struct request *req, enum db_status status);

/* Shared secrets, loaded at start. */
const char *runtime_jwt_secret(void);

#endif
