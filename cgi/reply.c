/*
 * reply.c — building and sending responses; the one error exit (SPEC §2 shape).
 *
 * A response is assembled in req->headers / req->out and written in one go by
 * reply_send() after the handler returns, so a handler can change its mind (an error
 * after starting a body) without a half-written response reaching the client, and a
 * commit that fails after the handler still turns into a 503 or 500.
 *
 * "In one go" means one writev() per response. libfcgi reads requests well, but it
 * writes through an 8 KB stream buffer: a 32 KB device list left in five write() calls
 * and the end-of-request records in a sixth, each a wake-up of nginx. The response is
 * already whole in the arena, so reply_send() frames it itself — FastCGI STDOUT records
 * of at most 65535 bytes over the head and the body, the empty STDOUT record that ends
 * the stream, and END_REQUEST — and hands the record headers and the arena's buffers to
 * the kernel together. It then releases libfcgi's two output streams unused
 * (FCGX_FreeStream, public API), so FCGX_Finish_r() has nothing left to write and only
 * closes the connection; libfcgi keeps reading, accepting and closing. Building the
 * records here rather than enlarging libfcgi's buffer: its size is fixed inside
 * FCGX_Accept_r, and the body would be copied once more into it.
 */
#include <errno.h>
#include <fastcgi.h>
#include <fcgiapp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/uio.h>

#include "config.h"
#include "crypto.h"
#include "decimal.h"
#include "http_headers.h"
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
	case 304: return "Not Modified";
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

int reply_file(struct request *req, const char *internal_uri)
{
	reply_begin(req, success_status(req, 0));
	reply_header(req, "X-Accel-Redirect", internal_uri);
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

int not_modified_or_reply(struct request *req, const char *etag)
{
	req->etag = etag;
	if (!http_etag_matches(req_header(req, "HTTP_IF_NONE_MATCH"), etag))
		return 0;
	if (!req->route->conditional)
		log_error("route %s %s answered 304, which it does not declare", req->route->method, req->route->path);
	reply_begin(req, 304);
	return req->status;
}

const char *view_etag(struct request *req, const char *version, const struct view_input *inputs)
{
	char digits[DECIMAL_MAX];
	struct buf view, tag;
	buf_init(&view, req->arena);
	for (const struct view_input *in = inputs; in->name; in++) {
		buf_puts(&view, in->name);
		if (in->value && *in->value) {
			buf_putc(&view, '=');
			buf_append(&view, digits, decimal_u64(digits, strlen(in->value)));
			buf_putc(&view, ':');
			buf_puts(&view, in->value);
		}
		buf_putc(&view, '\n');
	}
	buf_init(&tag, req->arena);
	buf_puts(&tag, "W/\"");
	buf_puts(&tag, version);
	buf_putc(&tag, '-');
	buf_append(&tag, sha256_hex(req->arena, view.data, view.len), 16);
	buf_putc(&tag, '"');
	return tag.data;
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

int announce_rows_or_reply(struct request *req, const char *type, const PGresult *res, const struct db_column *map,
			   int big_col)
{
	for (int row = 0; row < PQntuples(res); row++)
		if (notify_or_reply(req, "station_events",
				    station_event_from_row(req->arena, type, res, row, map, big_col, time_now_ms())))
			return req->status;
	return 0;
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
	char digits[DECIMAL_MAX];
	return arena_strndup(req->arena, digits, decimal_i64(digits, value));
}

const char *db_param_bool(bool value)
{
	return value ? "true" : "false";
}

void reply_header(struct request *req, const char *name, const char *value)
{
	buf_puts(&req->headers, name);
	buf_puts(&req->headers, ": ");
	buf_puts(&req->headers, value);
	buf_puts(&req->headers, "\r\n");
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

/* The CGI head of the response: status, the headers every reply carries (ETag with a
 * conditional route's 200 or 304), the handler's own, Content-Length, and the blank line. */
static void head_write(struct request *req, struct buf *head)
{
	char digits[DECIMAL_MAX];
	buf_puts(head, "Status: ");
	buf_append(head, digits, decimal_u64(digits, (unsigned)req->status));
	buf_putc(head, ' ');
	buf_puts(head, reply_reason(req->status));
	buf_puts(head, "\r\nX-Request-Id: ");
	buf_puts(head, req->request_id);
	if (req->etag && (req->status == 200 || req->status == 304)) {
		buf_puts(head, "\r\nETag: ");
		buf_puts(head, req->etag);
		buf_puts(head, "\r\nCache-Control: private, no-cache\r\n");
	} else {
		buf_puts(head, "\r\nCache-Control: no-store\r\n");
	}
	if (req->out.len > 0)
		buf_puts(head, "Content-Type: application/json; charset=utf-8\r\n");
	buf_append(head, req->headers.data, req->headers.len);
	if (req->status != 304) { /* a 304 has no body, and no length of one (RFC 9110 §15.4.5) */
		buf_puts(head, "Content-Length: ");
		buf_append(head, digits, decimal_u64(digits, req->out.len));
		buf_puts(head, "\r\n");
	}
	buf_puts(head, "\r\n");
}

static void record_header(unsigned char *h, int type, int request_id, size_t content_len)
{
	h[0] = FCGI_VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(request_id >> 8);
	h[3] = (unsigned char)request_id;
	h[4] = (unsigned char)(content_len >> 8);
	h[5] = (unsigned char)content_len;
	h[6] = 0; /* no padding: alignment is a recommendation of the protocol, not a rule */
	h[7] = 0;
}

/* Linux's IOV_MAX (UIO_MAXIOV): at most this many iovecs per writev(). */
#define WRITEV_MAX 1024

/* writev() until everything is out (a signal may interrupt it, a socket may take part). */
static bool write_all(int fd, struct iovec *iov, int count)
{
	while (count > 0) {
		ssize_t n = writev(fd, iov, count < WRITEV_MAX ? count : WRITEV_MAX);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		while (count > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			count--;
		}
		if (count > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return true;
}

void reply_send(struct request *req)
{
	FCGX_Request *r = req->fcgi;
	struct buf head;
	buf_init(&head, req->arena);
	head_write(req, &head);
	size_t body_len = strcmp(req->method, "HEAD") != 0 ? req->out.len : 0;

	/* The STDOUT stream is head then body, cut into records of at most 65535 bytes; a
	 * record needs its header and at most two pieces (the end of one buffer, the start of
	 * the next). The last iovec carries the closing STDOUT record and END_REQUEST. */
	const struct { const char *data; size_t len; } pieces[2] = { { head.data, head.len }, { req->out.data, body_len } };
	size_t total = head.len + body_len, records = (total + FCGI_MAX_LENGTH - 1) / FCGI_MAX_LENGTH;
	struct iovec *iov = arena_alloc(req->arena, (records * 3 + 1) * sizeof *iov);
	unsigned char *headers = arena_alloc(req->arena, records * FCGI_HEADER_LEN + 2 * FCGI_HEADER_LEN + sizeof(FCGI_EndRequestBody));
	int count = 0;
	size_t piece = 0, offset = 0;
	for (size_t rec = 0; rec < records; rec++) {
		size_t left = total - rec * FCGI_MAX_LENGTH, len = left < FCGI_MAX_LENGTH ? left : FCGI_MAX_LENGTH;
		record_header(headers + rec * FCGI_HEADER_LEN, FCGI_STDOUT, r->requestId, len);
		iov[count++] = (struct iovec){ headers + rec * FCGI_HEADER_LEN, FCGI_HEADER_LEN };
		while (len > 0) {
			size_t take = pieces[piece].len - offset < len ? pieces[piece].len - offset : len;
			iov[count++] = (struct iovec){ (char *)pieces[piece].data + offset, take };
			len -= take;
			offset += take;
			if (offset == pieces[piece].len) {
				piece++;
				offset = 0;
			}
		}
	}
	unsigned char *end = headers + records * FCGI_HEADER_LEN;
	record_header(end, FCGI_STDOUT, r->requestId, 0);
	record_header(end + FCGI_HEADER_LEN, FCGI_END_REQUEST, r->requestId, sizeof(FCGI_EndRequestBody));
	FCGI_EndRequestBody *done = (FCGI_EndRequestBody *)(end + 2 * FCGI_HEADER_LEN);
	memset(done, 0, sizeof *done); /* appStatus 0 */
	done->protocolStatus = FCGI_REQUEST_COMPLETE;
	iov[count++] = (struct iovec){ end, 2 * FCGI_HEADER_LEN + sizeof *done };

	if (!write_all(r->ipcFd, iov, count))
		log_warn("response not delivered: %s", strerror(errno));
	FCGX_FreeStream(&r->out);
	FCGX_FreeStream(&r->err);
}
