/*
 * request.c — reading a FastCGI request: parameters, query string, cookies, body.
 *
 * nginx hands over the method, DOCUMENT_URI (the path, already %-decoded), the raw
 * QUERY_STRING, HTTP_* headers and REQUEST_ID. Query values are %-decoded here into
 * the arena; a pair that is not valid UTF-8 (lib/utf8.h) is kept but marked: req_query
 * treats it as absent, and request_query_utf8_or_reply answers 400 naming it.
 */
#include <fcgiapp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "crypto.h"
#include "http_headers.h"
#include "json_reader.h"
#include "log.h"
#include "utf8.h"

#define QUERY_MAX_PAIRS 32

struct query_pair {
	const char *name;
	const char *value;
	bool valid; /* name and value are valid UTF-8 */
};

struct query_table {
	struct query_pair pairs[QUERY_MAX_PAIRS];
	int count;
};

static const char *fcgi_param(struct request *req, const char *name)
{
	FCGX_Request *r = req->fcgi;
	return FCGX_GetParam(name, r->envp);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void request_reply_init(struct request *req)
{
	buf_init(&req->headers, req->arena);
	buf_init(&req->out, req->arena);
	jw_init(&req->json, &req->out);
}

struct request *request_new(struct arena *a, const char *method, const char *path, const char *query_string)
{
	struct request *req = arena_alloc(a, sizeof *req);
	*req = (struct request){ .arena = a, .method = method, .path = path, .query_string = query_string };
	request_reply_init(req);
	return req;
}

void request_load(struct request *req, void *fcgi_request)
{
	req->fcgi = fcgi_request;
	req->method = or_empty(fcgi_param(req, "REQUEST_METHOD"));
	const char *path = fcgi_param(req, "DOCUMENT_URI");
	if (!path) {
		/* Without nginx's DOCUMENT_URI, cut the query off REQUEST_URI. */
		const char *uri = or_empty(fcgi_param(req, "REQUEST_URI"));
		path = arena_strndup(req->arena, uri, strcspn(uri, "?"));
	}
	req->path = path;
	req->query_string = or_empty(fcgi_param(req, "QUERY_STRING"));
	const char *id = fcgi_param(req, "REQUEST_ID");
	req->request_id = id && *id ? id : arena_printf(req->arena, "%08x%08x", (unsigned)random(), (unsigned)random());
	req->content_type = fcgi_param(req, "CONTENT_TYPE");
	req->origin = fcgi_param(req, "HTTP_ORIGIN");
	req->host = or_empty(fcgi_param(req, "HTTP_HOST"));
	const char *scheme = fcgi_param(req, "REQUEST_SCHEME");
	req->scheme = scheme && strcmp(scheme, "https") == 0 ? "https" : "http";
	req->user_agent = fcgi_param(req, "HTTP_USER_AGENT");
	req->remote_addr = or_empty(fcgi_param(req, "REMOTE_ADDR"));
}

const char *req_header(const struct request *req, const char *cgi_name)
{
	FCGX_Request *r = req->fcgi;
	return r ? FCGX_GetParam(cgi_name, r->envp) : NULL;
}

const char *req_param(const struct request *req, const char *name)
{
	for (int i = 0; i < req->param_count; i++)
		if (strcmp(req->param_names[i], name) == 0)
			return req->param_values[i];
	return NULL;
}

/* %-decodes s[0..n) (and '+' as space) into the arena. */
static char *url_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hex_digit_value(s[i + 1]) >= 0 && hex_digit_value(s[i + 2]) >= 0) {
			out[o++] = (char)(hex_digit_value(s[i + 1]) * 16 + hex_digit_value(s[i + 2]));
			i += 2;
		} else if (s[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static struct query_table *query_parse(struct request *req)
{
	if (req->query_table)
		return req->query_table;
	struct query_table *t = arena_alloc(req->arena, sizeof *t);
	const char *s = req->query_string;
	while (*s && t->count < QUERY_MAX_PAIRS) {
		size_t len = strcspn(s, "&");
		const char *eq = memchr(s, '=', len);
		size_t name_len = eq ? (size_t)(eq - s) : len;
		if (name_len > 0) {
			const char *name = url_decode(req->arena, s, name_len);
			const char *value = eq ? url_decode(req->arena, eq + 1, len - name_len - 1) : "";
			t->pairs[t->count].name = name;
			t->pairs[t->count].value = value;
			t->pairs[t->count].valid = utf8_valid(name, strlen(name)) && utf8_valid(value, strlen(value));
			t->count++;
		}
		s += len;
		if (*s == '&')
			s++;
	}
	req->query_table = t;
	return t;
}

const char *req_query(const struct request *req, const char *name)
{
	struct query_table *t = query_parse((struct request *)req);
	for (int i = 0; i < t->count; i++)
		if (t->pairs[i].valid && strcmp(t->pairs[i].name, name) == 0)
			return t->pairs[i].value;
	return NULL;
}

int request_query_utf8_or_reply(struct request *req)
{
	struct query_table *t = query_parse(req);
	for (int i = 0; i < t->count; i++) {
		const char *name = t->pairs[i].name;
		if (!utf8_valid(name, strlen(name)))
			return reply_error(req, 400, "query: must be valid UTF-8");
		if (!t->pairs[i].valid)
			return reply_error(req, 400, "%s: must be valid UTF-8", name);
	}
	return 0;
}

const char *req_cookie(const struct request *req, const char *name)
{
	return http_cookie_get(req->arena, req_header(req, "HTTP_COOKIE"), name);
}

int request_read_body(struct request *req, size_t limit)
{
	const char *length_text = fcgi_param(req, "CONTENT_LENGTH");
	long long declared = length_text && *length_text ? strtoll(length_text, NULL, 10) : 0;
	if (declared < 0)
		return reply_error(req, 400, "content-length: invalid");
	if ((unsigned long long)declared > limit)
		return reply_error(req, 413, "body: larger than %zu bytes", limit);
	FCGX_Request *r = req->fcgi;
	char *data = arena_alloc(req->arena, (size_t)declared + 1);
	size_t got = 0;
	while (got < (size_t)declared) {
		int n = FCGX_GetStr(data + got, (int)((size_t)declared - got), r->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	data[got] = '\0';
	req->raw_body = data;
	req->raw_body_len = got;
	return 0;
}

long long req_body_length(const struct request *req)
{
	const char *text = fcgi_param((struct request *)req, "CONTENT_LENGTH");
	if (!text || !*text)
		return -1;
	char *end;
	long long n = strtoll(text, &end, 10);
	return *end == '\0' && n >= 0 ? n : -1;
}

long req_body_read(struct request *req, void *buf, size_t cap)
{
	FCGX_Request *r = req->fcgi;
	int want = cap > (1u << 20) ? 1 << 20 : (int)cap;
	int n = FCGX_GetStr(buf, want, r->in);
	if (n < 0)
		return -1;
	return n;
}

const char *body_string(const struct request *req, const char *key)
{
	return json_get_string(req->body, key);
}

bool body_has(const struct request *req, const char *key)
{
	return json_has(req->body, key);
}

bool body_is_null(const struct request *req, const char *key)
{
	return json_is_null(req->body, key);
}

long long body_int(const struct request *req, const char *key, long long fallback)
{
	long long v;
	return json_get_int(req->body, key, &v) ? v : fallback;
}

const char *req_host_name(const struct request *req)
{
	const char *host = req->host;
	if (!host || !*host)
		return NULL;
	if (host[0] == '[') { /* "[fd00::1]:8080" */
		const char *end = strchr(host, ']');
		return end && end > host + 1 ? arena_strndup(req->arena, host + 1, (size_t)(end - host - 1)) : NULL;
	}
	const char *colon = strchr(host, ':');
	if (colon && !strchr(colon + 1, ':')) /* "station.local:8080"; several colons: a bare IPv6 address */
		return colon > host ? arena_strndup(req->arena, host, (size_t)(colon - host)) : NULL;
	return host;
}

struct json_object *db_value_json(struct request *req, const PGresult *res, int row, int col)
{
	const char *text = db_value(res, row, col), *error = NULL;
	struct json_object *v = text ? json_parse(req->arena, text, strlen(text), JW_MAX_DEPTH, &error) : NULL;
	if (text && !v)
		log_error("column %d holds invalid JSON (%s)", col, error);
	return v;
}
