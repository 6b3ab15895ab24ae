/*
 * internal.h — what the runtime's own files share; modules never include it.
 */
#ifndef STATION_CGI_INTERNAL_H
#define STATION_CGI_INTERNAL_H

#include "runtime.h"

/* request.c: fills req from the FastCGI parameters (no body yet). */
void request_load(struct request *req, void *fcgi_request);
/* request.c: reads the body up to limit bytes; 0, or the status already replied. */
int request_read_body(struct request *req, size_t limit);
/* request.c: 400 "<name>: must be valid UTF-8" for the first query parameter whose name or
 * value is not valid UTF-8 ("query: …" when the name itself is not); 0 when all are. */
int request_query_utf8_or_reply(struct request *req);

/* router.c: finds the route for req (filling path params); 0 or the status already replied. */
int router_match(struct request *req, const struct route *routes);
/* router.c: runs everything before the handler, then the handler. */
int router_dispatch(struct request *req, const struct route *routes);
/* router.c: prints the table as JSON lines (for the authorization-matrix test). */
void router_print(const char *module, const struct route *routes);

/* caller.c: authenticates, authorizes and applies the CSRF rules; 0 or the status replied. */
int caller_admit(struct request *req);
void caller_set_secrets(const char *jwt_secret, const char *agent_token);

/* reply.c: writes the finished response to the FastCGI stream. */
void reply_send(struct request *req);
const char *reply_reason(int status);

/* repo.c: the runtime's own SQL. */
PGresult *runtime_repo_device_by_token(struct request *req, const char *token_hash);

#endif
