/*
 * reply.c — building and sending responses; the one error exit (SPEC §2 shape).
 *
 * A response is assembled in req->headers / req->out and written in one go by
 * reply_send() after the handler returns, so a handler can change its mind (an error
 * after starting a body) without a half-written response reaching the client, and a
 * commit that fails after the handler still turns into a 503 or 500.
 */
#include <fcgiapp.h>
#include <stdarg.h>
#include <string.h>

#include "config.h"
#include "internal.h"
#include "log.h"
#include "notify.h"
#include "timeutil.h"

const char *reply_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/* Drops whatever a handler had written so far. */
static void reply_restart(struct request *req)
{
	buf_reset(&req->out);
	jw_init(&req->json, &req->out);
}

/* The success status a route declared; alt asks for its second one. */
static int success_status(const struct request *req, int wanted)
{
	const struct route *r = req->route;
	int declared = route_success_status(r);
	if (wanted == 0 || wanted == declared || (r->status_alt && wanted == r->status_alt))
		return wanted ? wanted : declared;
	log_error("route %s %s replied %d, which it does not declare", r->method, r->path, wanted);
	return wanted;
}

static struct jw *reply_begin(struct request *req, int status)
{
	reply_restart(req);
	req->status = status;
	return &req->json;
}

struct jw *reply_json(struct request *req)
{
	return reply_begin(req, success_status(req, 0));
}

struct jw *reply_json_status(struct request *req, int status)
{
	return reply_begin(req, success_status(req, status));
}

int reply_ok(struct request *req)
{
	return req->status;
}

int reply_empty(struct request *req)
{
	reply_begin(req, success_status(req, 0));
	return req->status;
}

int reply_row(struct request *req, const PGresult *res, const struct db_column *map)
{
	if (!res)
		return req->status;
	db_write_row(reply_json(req), res, 0, map);
	return req->status;
}

int reply_rows(struct request *req, const PGresult *res, const struct db_column *map)
{
	if (!res)
		return req->status;
	db_write_rows(reply_json(req), res, map);
	return req->status;
}

int reply_page(struct request *req, const PGresult *res, int limit, const struct db_column *map,
	       const char *next_cursor)
{
	if (!res)
		return req->status;
	int rows = PQntuples(res) < limit ? PQntuples(res) : limit;
	struct jw *w = reply_json(req);
	jw_object_begin(w);
	jw_key(w, "items");
	jw_array_begin(w);
	for (int row = 0; row < rows; row++)
		db_write_row(w, res, row, map);
	jw_array_end(w);
	jw_key(w, "nextCursor");
	if (next_cursor)
		jw_string(w, next_cursor);
	else
		jw_null(w);
	jw_object_end(w);
	return req->status;
}

int reply_row_or_404(struct request *req, const PGresult *res, const struct db_column *map, const char *not_found)
{
	if (res && PQntuples(res) == 0)
		return reply_error(req, 404, "%s", not_found);
	return reply_row(req, res, map);
}

int reply_error(struct request *req, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *message = arena_vprintf(req->arena, fmt, ap);
	va_end(ap);
	if (status >= 500 && status != 503) /* 503s are logged where the outage is seen */
		log_fields(LOG_ERROR, "request failed", "status", reply_reason(status), "detail", message, NULL);
	struct jw *w = reply_begin(req, status);
	jw_object_begin(w);
	jw_member_int(w, "statusCode", status);
	jw_member_string(w, "error", reply_reason(status));
	/* A 500 never carries internal detail. */
	jw_member_string(w, "message", status == 500 ? "internal error" : message);
	jw_object_end(w);
	return status;
}

int reply_db_error(struct request *req, enum db_status status, const struct db_stmt *stmt)
{
	switch (status) {
	case DB_UNAVAILABLE:
		log_fields(LOG_WARN, "database unavailable", "detail", db_last_error(req->db), NULL);
		reply_header(req, "Retry-After", "5");
		return reply_error(req, 503, "database unavailable");
	case DB_TIMEOUT:
		log_fields(LOG_WARN, "statement timed out", "detail", db_last_error(req->db), NULL);
		reply_header(req, "Retry-After", "1");
		return reply_error(req, 503, "database busy, try again");
	case DB_CONFLICT:
		return reply_error(req, 409, "%s", stmt && stmt->conflict ? stmt->conflict
								  : "conflicts with an existing record");
	case DB_INVALID:
		return reply_error(req, 400, "%s", stmt && stmt->invalid ? stmt->invalid
								 : "body: refers to something that does not exist or is out of range");
	default:
		return reply_error(req, 500, "database error: %s", db_last_error(req->db));
	}
}

PGresult *db_run_or_reply(struct request *req, struct db_stmt *stmt, const char *const *params, int nparams)
{
	PGresult *res = NULL;
	enum db_status st = db_exec_counted(req->db, req->arena, stmt, params, nparams, &res);
	if (st == DB_OK)
		return res;
	reply_db_error(req, st, stmt);
	return NULL;
}

int notify_or_reply(struct request *req, const char *channel, const char *payload)
{
	if (!payload)
		return reply_error(req, 500, "a %s message does not fit a notification", channel);
	return db_run(req, notify_statement, channel, payload) ? 0 : req->status;
}

int announce_row_or_reply(struct request *req, const char *type, const PGresult *res, const struct db_column *map,
			  int big_col)
{
	return notify_or_reply(req, "station_events",
			       station_event_from_row(req->arena, type, res, 0, map, big_col, time_now_ms()));
}

PGresult *db_found_or_404(struct request *req, PGresult *res, const char *not_found)
{
	if (res && PQntuples(res) == 0) {
		reply_error(req, 404, "%s", not_found);
		return NULL;
	}
	return res;
}

const char *db_param_long(struct request *req, long long value)
{
	return arena_printf(req->arena, "%lld", value);
}

const char *db_param_bool(bool value)
{
	return value ? "true" : "false";
}

void reply_header(struct request *req, const char *name, const char *value)
{
	buf_printf(&req->headers, "%s: %s\r\n", name, value);
}

void reply_cookie(struct request *req, const char *name, const char *value, const char *path, long max_age)
{
	const char *secure = cfg_bool("auth.cookie_secure") ? "; Secure" : "";
	if (value)
		buf_printf(&req->headers, "Set-Cookie: %s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Strict%s\r\n",
			   name, value, path, max_age, secure);
	else
		buf_printf(&req->headers,
			   "Set-Cookie: %s=; Path=%s; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict%s\r\n",
			   name, path, secure);
}

void reply_send(struct request *req)
{
	FCGX_Request *r = req->fcgi;
	FCGX_FPrintF(r->out, "Status: %d %s\r\n", req->status, reply_reason(req->status));
	FCGX_FPrintF(r->out, "X-Request-Id: %s\r\nCache-Control: no-store\r\n", req->request_id);
	if (req->out.len > 0)
		FCGX_PutS("Content-Type: application/json; charset=utf-8\r\n", r->out);
	FCGX_PutStr(req->headers.data, (int)req->headers.len, r->out);
	/* FCGX_FPrintF knows no %zu. */
	FCGX_FPrintF(r->out, "Content-Length: %lu\r\n\r\n", (unsigned long)req->out.len);
	if (req->out.len > 0 && strcmp(req->method, "HEAD") != 0)
		FCGX_PutStr(req->out.data, (int)req->out.len, r->out);
}
