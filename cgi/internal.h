/*
 * internal.h — what the runtime's own files share; modules never include it.
 */
#ifndef STATION_CGI_INTERNAL_H
#define STATION_CGI_INTERNAL_H

#include "runtime.h"

/* What a request process is told at start (worker.c). */
struct worker_plan {
	const char *module;
	const struct route *routes;
	long idle_exit_s;        /* http.idle_exit_s: an on-demand process leaves after this */
	long idle_disconnect_s;  /* db.idle_disconnect_s: a process drops its connection after this */
};

/* request.c: an empty response in req's arena (headers, body and its JSON writer), made
 * before anything is dispatched. */
void request_reply_init(struct request *req);
/* request.c: a request built in arena a rather than read from FastCGI (the unit tests and
 * fuzz harnesses of the runtime): method, path and query string (NULL: none), an empty
 * response. */
struct request *request_new(struct arena *a, const char *method, const char *path, const char *query_string);
/* request.c: fills req from the FastCGI parameters (no body yet). */
void request_load(struct request *req, void *fcgi_request);
/* request.c: reads the body up to limit bytes; 0, or the status already replied. */
int request_read_body(struct request *req, size_t limit);
/* request.c: 400 "<name>: must be valid UTF-8" for the first query parameter whose name or
 * value is not valid UTF-8 ("query: …" when the name itself is not); 0 when all are. */
int request_query_utf8_or_reply(struct request *req);

/* router.c: finds the route for req (filling path params); 0 or the status already replied. */
int router_match(struct request *req, const struct route *routes);
/* router.c: runs everything before the handler, the handler in its transaction, and
 * the commit or rollback after it; the response is in req when it returns. */
void router_dispatch(struct request *req, const struct route *routes);
/* router.c: prints the table as JSON lines (for the authorization-matrix test). */
void router_print(const char *module, const struct route *routes);
/* openapi.c: prints the module's OpenAPI path items as {"module","paths"} (station-openapi). */
void openapi_print(const char *module, const struct route *routes);

/* contract.c: the statuses a route may answer — its successes, the errors its
 * declaration implies (see runtime.h) and those it declares. */
bool route_may_answer(const struct route *route, int status);
/* contract.c: the status of a success (200 unless declared; 204 without a body). */
int route_success_status(const struct route *route);
/* contract.c: the error statuses of route, ascending, ending with 0 (at most 15). */
void route_error_statuses(const struct route *route, int out[16]);

/* caller.c: authenticates, authorizes and applies the CSRF rules; 0 or the status replied. */
int caller_admit(struct request *req);
void caller_set_secrets(const char *jwt_secret, const char *agent_token);

/* reply.c: the reply for a failed statement (stmt may be NULL): 503 + Retry-After (the
 * database unavailable, or a statement or lock timeout), 409,
 * 400 (with the statement's own messages when it declares them) or 500. */
int reply_db_error(struct request *req, enum db_status status, const struct db_stmt *stmt);
/* reply.c: writes the finished response to the FastCGI stream. */
void reply_send(struct request *req);
const char *reply_reason(int status);

/* repo.c: the runtime's own SQL. The device of a token hash: (id, external_id). */
STATEMENT_DECLARE(runtime_device_by_token, 1);
/* repo.c: $1 user, $2 session (refresh-token family), $3 auth.session_max_days: one row
 * (the member's current role) while the session is live and the user a member, else none. */
STATEMENT_DECLARE(runtime_access_role, 3);

#endif
