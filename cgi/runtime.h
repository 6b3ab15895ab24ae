/*
 * runtime.h — the FastCGI runtime every REST module is built on.
 *
 * A module declares its routes as a static table and hands it to worker_main():
 *
 *     static const struct route routes[] = {
 *         { "GET", "/api/devices/:id", device_get, WHO_MEMBER, .reply = REPLY_ROW(device_columns),
 *           .errors = ERR_404 },
 *         { "POST", "/api/devices", device_create, WHO_ADMIN, .body = device_create_body,
 *           .tx = TX_WRITE, .status = 201, .reply = REPLY_OBJECT(device_created), .errors = ERR_409 },
 *         { 0 },
 *     };
 *     WORKER_MAIN("devices", routes, NULL);
 *
 * Before a handler runs the runtime has parsed the request, authenticated the caller,
 * checked `who` against the caller (401/403), checked the Origin and content type of
 * cookie-authenticated writes, validated path ids, the query and the JSON body against
 * the declared schemas (400/404/413/415), and opened the declared transaction. After it,
 * the runtime commits when the reply is a success and rolls back otherwise; the rollback
 * is also an arena cleanup, so no transaction outlives its request.
 *
 * A handler reads input through the accessors below, runs statements with db_run(), and
 * returns what a reply_* function returned: the one status of the response. The table
 * also says what a success looks like and which errors the handler may answer, so the
 * tables alone describe the API (station-openapi) and the contract test holds every
 * response to its description. All memory comes from req->arena; handlers never free().
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
#include "statement.h"

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

/* The transaction the runtime holds around a handler. */
enum route_tx {
	TX_NONE,   /* each statement commits by itself: one-statement routes, and work that must
		    * stay done even when the reply is an error (a failed login is counted) */
	TX_READ,   /* BEGIN READ ONLY: several reads that see one snapshot */
	TX_WRITE,  /* BEGIN: committed when the reply is 2xx, rolled back otherwise */
};

/* What a successful reply carries, for the API document and the contract test. */
enum reply_kind {
	REPLY_KIND_NONE,    /* no body (204) */
	REPLY_KIND_ROW,     /* one object written from a column map */
	REPLY_KIND_ROWS,    /* an array of them */
	REPLY_KIND_PAGE,    /* {"items":[rows…],"nextCursor":string|null} (SPEC §2) */
	REPLY_KIND_OBJECT,  /* an object described by fields (members may be column maps) */
	REPLY_KIND_FILE,    /* a file nginx sends after the worker said yes (reply_file) */
};
struct reply_shape {
	enum reply_kind kind;
	const struct db_column *columns;
	const struct field *fields;
};
#define REPLY_NONE { .kind = REPLY_KIND_NONE }
#define REPLY_ROW(map) { .kind = REPLY_KIND_ROW, .columns = (map) }
#define REPLY_ROWS(map) { .kind = REPLY_KIND_ROWS, .columns = (map) }
#define REPLY_PAGE(map) { .kind = REPLY_KIND_PAGE, .columns = (map) }
#define REPLY_OBJECT(fields_) { .kind = REPLY_KIND_OBJECT, .fields = (fields_) }
#define REPLY_FILE { .kind = REPLY_KIND_FILE }

/*
 * Errors a handler itself may answer. The runtime's own are implied by the declaration:
 * 400 with a body or query, 401/403 unless public, 404 with path ids, 413/415 with a
 * body, 403/415 of the CSRF guard on every method but GET, 405 and 404 for unknown
 * routes, 500, and 503 when the database is down.
 */
#define ERR_400 (1u << 0)
#define ERR_401 (1u << 1)
#define ERR_403 (1u << 2)
#define ERR_404 (1u << 3)
#define ERR_409 (1u << 4)
#define ERR_429 (1u << 5)

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
	/* The body is left unread: the handler streams it with req_body_read() (uploads; the
	 * handler checks req_body_length() against its own limit and answers 413 first). */
	bool raw_body;
	enum route_tx tx;
	int status;                 /* of a success: 200 unless set (204 for REPLY_NONE) */
	int status_alt;             /* a second success status (201 created vs 200 replaced), or 0 */
	struct reply_shape reply;
	unsigned errors;            /* ERR_*: what the handler may answer besides success */
	/* A GET whose handler tags its answer (not_modified_or_reply): it may also answer
	 * 304 Not Modified, neither a success nor an error, without a body. */
	bool conditional;
	const char *summary;        /* one line for the API document */
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

	/* The response being built; status is its one status (0 until a reply_* sets it). */
	int status;
	const char *etag;           /* the answer's ETag (not_modified_or_reply), sent with 200/304 */
	struct buf headers;
	struct buf out;
	struct jw json;

	void *fcgi;                 /* FCGX_Request, for the runtime only */
	void *query_table;          /* parsed query string, for the runtime only */
};

/* Runs the module: config, secrets, database, pre-forked processes, accept loop. */
int worker_main(const char *module, const struct route *routes);
/* The same for a module that needs more at start (a key of its own): start() runs once,
 * after the configuration and the runtime's secrets are loaded and before any request;
 * it returns 0, or -1 after logging why, and the program then exits with status 2. */
int worker_main_with_start(const char *module, const struct route *routes, int (*start)(void));
/* A module's whole main(): WORKER_MAIN("zones", routes, NULL), or with its start function
 * (NULL: none), WORKER_MAIN("settings", routes, settings_start). Every worker's program is
 * this one line; what it does at start and per request is the runtime's. */
#define WORKER_MAIN(module, routes, start)                                                        \
	int main(void)                                                                            \
	{                                                                                         \
		return worker_main_with_start((module), (routes), (start));                        \
	}

/* Input. */
const char *req_param(const struct request *req, const char *name);
const char *req_query(const struct request *req, const char *name);
const char *req_header(const struct request *req, const char *cgi_name); /* "HTTP_X_DEVICE_TOKEN" */
const char *req_cookie(const struct request *req, const char *name);
/* A json/jsonb cell parsed in the arena (the database wrote it, so it is valid JSON);
 * NULL for SQL NULL. */
struct json_object *db_value_json(struct request *req, const PGresult *res, int row, int col);
/* The host the client dialled, without its port or IPv6 brackets; NULL when unknown. */
const char *req_host_name(const struct request *req);
const char *body_string(const struct request *req, const char *key);
bool body_has(const struct request *req, const char *key);
bool body_is_null(const struct request *req, const char *key);
long long body_int(const struct request *req, const char *key, long long fallback);
/* raw_body routes: the declared CONTENT_LENGTH, or -1 when there is none or it is not a
 * number; and the next bytes of the body into buf: how many (0 at its end), -1 on error. */
long long req_body_length(const struct request *req);
long req_body_read(struct request *req, void *buf, size_t cap);

/*
 * Output. Every reply_* that finishes a reply returns its status, so a handler ends in
 * `return reply_…(…)`; a function that may reply returns 0 or that status (`…_or_reply`).
 */
struct jw *reply_json(struct request *req);                    /* the route's success status */
struct jw *reply_json_status(struct request *req, int status); /* route's status or status_alt */
int reply_ok(struct request *req);                             /* after writing reply_json()'s body */
int reply_empty(struct request *req);                          /* the route's status, no body */
int reply_row(struct request *req, const PGresult *res, const struct db_column *map);
int reply_rows(struct request *req, const PGresult *res, const struct db_column *map);
/* {"items":[the first `limit` rows],"nextCursor":next_cursor or null} (SPEC §2 pages). */
int reply_page(struct request *req, const PGresult *res, int limit, const struct db_column *map,
	       const char *next_cursor);
/* Row 0 of res, or 404 with not_found when res has no row; res NULL: already replied. */
int reply_row_or_404(struct request *req, const PGresult *res, const struct db_column *map, const char *not_found);
/* REPLY_FILE routes: nginx sends the file at internal_uri (an `internal` location, through
 * X-Accel-Redirect) with its own Content-Length, ETag and ranges; the worker sends no byte of it. */
int reply_file(struct request *req, const char *internal_uri);
int reply_error(struct request *req, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * Conditional GET (routes with .conditional): etag (W/"…" or "…") tags the answer; when
 * the request's If-None-Match matches it (weak comparison, lists, "*"), this replies 304
 * Not Modified without a body and returns 304; else 0 and the handler writes its 200.
 * The tag goes out with the 200 or the 304 only (an error after it carries none), with
 * Cache-Control "private, no-cache": a browser keeps the answer and asks again each time.
 */
int not_modified_or_reply(struct request *req, const char *etag);
/*
 * The tag of one view of a versioned list: W/"<version>-<16 hex digits of the SHA-256 of
 * the view's inputs>", each input written "name=<length>:<value>\n", or "name\n" when its
 * value is NULL or empty (an empty filter is no filter). inputs ends with a NULL name;
 * every input that changes what the list shows belongs in it.
 */
struct view_input {
	const char *name, *value;
};
const char *view_etag(struct request *req, const char *version, const struct view_input *inputs);
void reply_header(struct request *req, const char *name, const char *value);
/* Sets an HttpOnly SameSite=Strict cookie; value NULL clears it. */
void reply_cookie(struct request *req, const char *name, const char *value, const char *path, long max_age);

/*
 * Runs a declared statement (statement.h) with its parameters, in the route's
 * transaction: the result (freed with the arena), or NULL after replying 503, 409, 400
 * or 500 (the statement may name what its conflict or bad reference means). The
 * compiler checks the number of parameters against the declaration.
 */
#define db_run(req, stmt, ...)                                                                   \
	db_run_or_reply((req), &(stmt), STATEMENT_ARGS(__VA_ARGS__),                           \
			STATEMENT_ARITY_CHECKED(stmt, __VA_ARGS__))
PGresult *db_run_or_reply(struct request *req, struct db_stmt *stmt, const char *const *params, int nparams);
/* db_run() for a statement about one thing: its result with at least one row, or NULL
 * after replying (404 with not_found when there is no row). */
#define db_row(req, not_found, stmt, ...) db_found_or_404((req), db_run((req), stmt, __VA_ARGS__), (not_found))
PGresult *db_found_or_404(struct request *req, PGresult *res, const char *not_found);
/* Announces payload on channel inside the route's transaction (notify.h); payload NULL
 * (a message too long for the bus) is a 500. 0, or the status replied. */
int notify_or_reply(struct request *req, const char *channel, const char *payload);
/* Announces row 0 of res (through map) as a station_events message of this type, in the
 * route's transaction; too long for the bus, it goes without column big_col (-1: none)
 * and marked truncated (notify.h). 0, or the status replied. */
int announce_row_or_reply(struct request *req, const char *type, const PGresult *res, const struct db_column *map,
			  int big_col);
/* The same for every row of res, one message each, in row order (a change that touched
 * several things). 0, or the status replied. */
int announce_rows_or_reply(struct request *req, const char *type, const PGresult *res, const struct db_column *map,
			   int big_col);
/* Parameter text for numbers and booleans, from the arena. */
const char *db_param_long(struct request *req, long long value);
const char *db_param_bool(bool value);

/* Shared secrets, loaded at start. */
const char *runtime_jwt_secret(void);

#endif
