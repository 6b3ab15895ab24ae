/*
 * reply.c — building and sending responses; the one error exit (SPEC §2 shape).
 *
 * A response is assembled in req->headers / req->out and written in one go by
 * reply_send() after the handler returns, so a handler can change its mind (an error
 * after starting a body) without a half-written response reaching the client.
 */
#include <fcgiapp.h>
#include <stdarg.h>
#include <string.h>

#include "config.h"
#include "internal.h"
#include "log.h"

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

struct jw *reply_json(struct request *req, int status)
{
	reply_restart(req);
	req->status = status;
	return &req->json;
}

int reply_empty(struct request *req, int status)
{
	reply_restart(req);
	req->status = status;
	return status;
}

int reply_error(struct request *req, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *message = arena_vprintf(req->arena, fmt, ap);
	va_end(ap);
	if (status >= 500 && status != 503) /* 503s are logged where the outage is seen */
		log_fields(LOG_ERROR, "request failed", "status", reply_reason(status), "detail", message, NULL);
	struct jw *w = reply_json(req, status);
	jw_object_begin(w);
	jw_member_int(w, "statusCode", status);
	jw_member_string(w, "error", reply_reason(status));
	/* A 500 never carries internal detail. */
	jw_member_string(w, "message", status == 500 ? "internal error" : message);
	jw_object_end(w);
	return status;
}

int reply_db_error(struct request *req, enum db_status status)
{
	switch (status) {
	case DB_UNAVAILABLE:
		log_fields(LOG_WARN, "database unavailable", "detail", db_last_error(req->db), NULL);
		reply_header(req, "Retry-After", "5");
		return reply_error(req, 503, "database unavailable");
	case DB_CONFLICT:
		return reply_error(req, 409, "conflicts with an existing record");
	case DB_INVALID:
		return reply_error(req, 400, "body: refers to something that does not exist or is out of range");
	default:
		return reply_error(req, 500, "database error: %s", db_last_error(req->db));
	}
}

PGresult *db_query_or_reply(struct request *req, struct db_stmt *stmt, const char *const *params)
{
	PGresult *res = NULL;
	enum db_status st = db_exec(req->db, req->arena, stmt, params, &res);
	if (st == DB_OK)
		return res;
	reply_db_error(req, st);
	return NULL;
}

int db_commit_or_reply(struct request *req)
{
	enum db_status st = db_commit(req->db, req->arena);
	return st == DB_OK ? 0 : reply_db_error(req, st);
}

int reply_rollback(struct request *req, enum db_status status)
{
	db_rollback(req->db, req->arena);
	return reply_db_error(req, status);
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
	if (req->status == 0)
		reply_error(req, 500, "handler produced no response");
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
