/*
 * openapi.c — one module's part of the OpenAPI 3.1 document, written from its route
 * table alone (rule 1 of the house: the tables describe the API).
 *
 * `STATION_PRINT_OPENAPI=1 api-<module>` prints {"module":…,"paths":{…}} on stdout and
 * exits (worker_main); station-openapi runs every installed worker that way and wraps
 * the path items into the whole document (info, tags, the Error schema, the security
 * schemes). Why the worker prints its own part instead of one program linking every
 * table: the tables are static in each module's routes.c, next to their handlers, and
 * a module is picked up by being built — as the authorization matrix reads them with
 * STATION_PRINT_ROUTES — so nothing registers a module twice.
 *
 * What comes from where: statuses from contract.c (route_success_status,
 * route_error_statuses: the same ones the runtime holds replies to), request and query
 * schemas from the `struct field` arrays with the limits the validator applies (strings
 * default to at most 255 characters, arrays to 100 items), replies from the route's
 * reply shape and column maps. A column map says no more than its kind, and db_write_row
 * writes every key with null for SQL NULL, so a row's keys are all required, may be
 * null, and nothing else may appear (additionalProperties false). Request schemas leave
 * additionalProperties open: the runtime ignores unknown members. Never writes JSON by
 * hand: everything goes through the json writer.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"


/* Where a schema is used: input bounds default as the validator's do, replies are closed. */
enum schema_use { USE_BODY, USE_QUERY, USE_REPLY };

static void write_field_schema(struct jw *w, const struct field *f, enum schema_use use);

/* "type": "string", or ["string","null"] when null is allowed. */
static void write_type(struct jw *w, const char *type, bool nullable)
{
	jw_key(w, "type");
	if (!nullable) {
		jw_string(w, type);
		return;
	}
	jw_array_begin(w);
	jw_string(w, type);
	jw_string(w, "null");
	jw_array_end(w);
}

static void write_bound(struct jw *w, const char *key, struct bound b, long long fallback, bool use_fallback)
{
	if (b.set)
		jw_member_int(w, key, b.value);
	else if (use_fallback)
		jw_member_int(w, key, fallback);
}

/* The members of an object schema: required list, properties, closed for replies. A
 * reply has every member it declares (`nullable` says which may be null), so in a reply
 * every member is required without saying so; input members are as `required` says. */
/* Input: what the schema requires; a reply: every member but the optional ones. */
static bool member_required(const struct field *f, enum schema_use use)
{
	return use == USE_REPLY ? !f->optional : f->required;
}

static void write_object_members(struct jw *w, const struct field *fields, enum schema_use use)
{
	bool any_required = false;
	for (const struct field *f = fields; f->name; f++)
		any_required |= member_required(f, use);
	if (any_required) {
		jw_key(w, "required");
		jw_array_begin(w);
		for (const struct field *f = fields; f->name; f++)
			if (member_required(f, use))
				jw_string(w, f->name);
		jw_array_end(w);
	}
	jw_key(w, "properties");
	jw_object_begin(w);
	for (const struct field *f = fields; f->name; f++) {
		jw_key(w, f->name);
		write_field_schema(w, f, use);
	}
	jw_object_end(w);
	if (use == USE_REPLY)
		jw_member_bool(w, "additionalProperties", false);
}

static void write_string_kind(struct jw *w, const struct field *f, bool nullable, enum schema_use use)
{
	write_type(w, "string", nullable);
	switch (f->type) {
	case FIELD_UUID:
		jw_member_string(w, "format", "uuid");
		break;
	case FIELD_EMAIL:
		jw_member_string(w, "format", "email");
		if (use != USE_REPLY)
			jw_member_int(w, "maxLength", SCHEMA_EMAIL_MAX);
		break;
	case FIELD_TIME:
		jw_member_string(w, "format", "date-time");
		break;
	case FIELD_ENUM:
		jw_key(w, "enum");
		jw_array_begin(w);
		for (int i = 0; f->values && f->values[i]; i++)
			jw_string(w, f->values[i]);
		if (nullable)
			jw_null(w);
		jw_array_end(w);
		break;
	default:
		write_bound(w, "minLength", f->min, 0, false);
		write_bound(w, "maxLength", f->max, SCHEMA_STRING_MAX_DEFAULT, use != USE_REPLY);
		break;
	}
}

/* A row written by db_write_row: a field list whose members are all there, each
 * possibly null, then the members `more` declares (NULL: none), nothing else
 * (write_object_members closes reply objects). */
static void write_row_schema(struct jw *w, const struct db_column *map, const struct field *more, bool nullable)
{
	static const enum field_type kinds[] = {
		[DBK_STRING] = FIELD_STRING, [DBK_NUMBER] = FIELD_NUMBER, [DBK_BOOL] = FIELD_BOOL,
		[DBK_JSON] = FIELD_ANY,      [DBK_TIME] = FIELD_TIME,
	};
	_Static_assert(sizeof kinds / sizeof kinds[0] == DBK_TIME + 1, "a field kind for every column kind");
	struct field fields[DB_COLUMNS_MAX + 1] = { 0 };
	int n = 0;
	for (; map[n].key && n < DB_COLUMNS_MAX; n++)
		fields[n] = (struct field){ .name = map[n].key, .type = kinds[map[n].kind], .nullable = true };
	for (; more && more->name && n < DB_COLUMNS_MAX; more++)
		fields[n++] = *more;
	jw_object_begin(w);
	write_type(w, "object", nullable);
	write_object_members(w, fields, USE_REPLY);
	jw_object_end(w);
}

/* The schema of one value as the runtime validates it (input) or a handler writes it. */
static void write_field_schema(struct jw *w, const struct field *f, enum schema_use use)
{
	/* In a query string null is the text "null", not a JSON null. */
	bool nullable = f->nullable && use != USE_QUERY;
	if (f->type == FIELD_OBJECT && f->columns) {
		write_row_schema(w, f->columns, f->fields, nullable);
		return;
	}
	jw_object_begin(w);
	if (f->nullable && use == USE_QUERY) {
		/* Either a value of the kind, or the text null ("no zone"). */
		struct field plain = *f;
		plain.nullable = false;
		jw_key(w, "anyOf");
		jw_array_begin(w);
		write_field_schema(w, &plain, use);
		jw_object_begin(w);
		jw_member_string(w, "const", "null");
		jw_object_end(w);
		jw_array_end(w);
		if (f->description)
			jw_member_string(w, "description", f->description);
		jw_object_end(w);
		return;
	}
	switch (f->type) {
	case FIELD_STRING:
	case FIELD_UUID:
	case FIELD_EMAIL:
	case FIELD_ENUM:
	case FIELD_TIME:
		write_string_kind(w, f, nullable, use);
		break;
	case FIELD_INT:
	case FIELD_NUMBER:
		write_type(w, f->type == FIELD_INT ? "integer" : "number", nullable);
		write_bound(w, "minimum", f->min, 0, false);
		write_bound(w, "maximum", f->max, 0, false);
		break;
	case FIELD_BOOL:
		write_type(w, "boolean", nullable);
		break;
	case FIELD_OBJECT:
		write_type(w, "object", nullable);
		if (f->fields)
			write_object_members(w, f->fields, use);
		break;
	case FIELD_ARRAY:
		write_type(w, "array", nullable);
		if (f->items) {
			jw_key(w, "items");
			write_field_schema(w, f->items, use);
		}
		write_bound(w, "minItems", f->min, 0, false);
		write_bound(w, "maxItems", f->max, SCHEMA_ARRAY_MAX_DEFAULT, use != USE_REPLY);
		break;
	case FIELD_ANY: /* any JSON value */
		break;
	}
	if (f->description)
		jw_member_string(w, "description", f->description);
	jw_object_end(w);
}

/* The body of a success, from the route's reply shape. */
static void write_reply_schema(struct jw *w, const struct reply_shape *reply)
{
	switch (reply->kind) {
	case REPLY_KIND_NONE:
	case REPLY_KIND_FILE:
		jw_object_begin(w);
		jw_object_end(w);
		break;
	case REPLY_KIND_ROW:
		write_row_schema(w, reply->columns, NULL, false);
		break;
	case REPLY_KIND_ROWS:
		jw_object_begin(w);
		jw_member_string(w, "type", "array");
		jw_key(w, "items");
		write_row_schema(w, reply->columns, NULL, false);
		jw_object_end(w);
		break;
	case REPLY_KIND_PAGE:
		jw_object_begin(w);
		jw_member_string(w, "type", "object");
		jw_key(w, "required");
		jw_array_begin(w);
		jw_string(w, "items");
		jw_string(w, "nextCursor");
		jw_array_end(w);
		jw_key(w, "properties");
		jw_object_begin(w);
		jw_key(w, "items");
		jw_object_begin(w);
		jw_member_string(w, "type", "array");
		jw_key(w, "items");
		write_row_schema(w, reply->columns, NULL, false);
		jw_object_end(w);
		jw_key(w, "nextCursor");
		jw_object_begin(w);
		write_type(w, "string", true);
		jw_member_string(w, "description", "the `before` of the next page; null on the last page");
		jw_object_end(w);
		jw_object_end(w);
		jw_member_bool(w, "additionalProperties", false);
		jw_object_end(w);
		break;
	case REPLY_KIND_OBJECT:
		jw_object_begin(w);
		jw_member_string(w, "type", "object");
		write_object_members(w, reply->fields, USE_REPLY);
		jw_object_end(w);
		break;
	}
}

/* "content": {"application/octet-stream": {}}: any bytes. */
static void write_octet_stream_content(struct jw *w)
{
	jw_key(w, "content");
	jw_object_begin(w);
	jw_key(w, "application/octet-stream");
	jw_object_begin(w);
	jw_object_end(w);
	jw_object_end(w);
}

static void write_json_content(struct jw *w)
{
	jw_key(w, "content");
	jw_object_begin(w);
	jw_key(w, "application/json");
	jw_object_begin(w);
	jw_key(w, "schema");
}

static void end_json_content(struct jw *w)
{
	jw_object_end(w);
	jw_object_end(w);
}

static void write_success(struct jw *w, const struct route *r, int status)
{
	char code[8];
	snprintf(code, sizeof code, "%d", status);
	jw_key(w, code);
	jw_object_begin(w);
	jw_member_string(w, "description", reply_reason(status));
	if (r->conditional && status == route_success_status(r)) {
		jw_key(w, "headers");
		jw_object_begin(w);
		jw_key(w, "ETag");
		jw_object_begin(w);
		jw_member_string(w, "description", "the answer's version: send it back in If-None-Match for a 304");
		jw_key(w, "schema");
		jw_object_of_strings(w, "type", "string", NULL);
		jw_object_end(w);
		jw_object_end(w);
	}
	if (r->reply.kind == REPLY_KIND_FILE) {
		/* nginx sends the file (X-Accel-Redirect); it answers ranges with 206 itself. */
		write_octet_stream_content(w);
	} else if (r->reply.kind != REPLY_KIND_NONE) {
		write_json_content(w);
		write_reply_schema(w, &r->reply);
		end_json_content(w);
	}
	jw_object_end(w);
}

/* An error of SPEC §2: the one Error schema, its statusCode being this status. */
static void write_error(struct jw *w, int status)
{
	char code[8];
	snprintf(code, sizeof code, "%d", status);
	jw_key(w, code);
	jw_object_begin(w);
	jw_member_string(w, "description", reply_reason(status));
	if (status == 503) {
		jw_key(w, "headers");
		jw_object_begin(w);
		jw_key(w, "Retry-After");
		jw_object_begin(w);
		jw_member_string(w, "description", "seconds to wait before trying again");
		jw_key(w, "schema");
		jw_object_begin(w);
		jw_member_string(w, "type", "integer");
		jw_object_end(w);
		jw_object_end(w);
		jw_object_end(w);
	}
	write_json_content(w);
	jw_object_begin(w);
	jw_key(w, "allOf");
	jw_array_begin(w);
	jw_object_begin(w);
	jw_member_string(w, "$ref", "#/components/schemas/Error");
	jw_object_end(w);
	jw_object_begin(w);
	jw_key(w, "properties");
	jw_object_begin(w);
	jw_key(w, "statusCode");
	jw_object_begin(w);
	jw_member_int(w, "const", status);
	jw_object_end(w);
	jw_object_end(w);
	jw_object_end(w);
	jw_array_end(w);
	jw_object_end(w);
	end_json_content(w);
	jw_object_end(w);
}

static void write_responses(struct jw *w, const struct route *r)
{
	int errors[16];
	route_error_statuses(r, errors);
	int success = route_success_status(r), alt = r->status_alt;
	jw_key(w, "responses");
	jw_object_begin(w);
	/* Ascending, as the statuses of a document usually are. */
	if (alt && alt < success)
		write_success(w, r, alt);
	write_success(w, r, success);
	if (alt && alt > success)
		write_success(w, r, alt);
	if (r->conditional) {
		jw_key(w, "304");
		jw_object_of_strings(w, "description", "Not Modified: If-None-Match holds the ETag of the current answer; no body", NULL);
	}
	for (int i = 0; errors[i]; i++)
		write_error(w, errors[i]);
	jw_object_end(w);
}

/* Who may call: the caller kinds by name, and the credentials that prove them. */
static void write_security(struct jw *w, unsigned who)
{
	static const struct { unsigned bit; const char *name; } kinds[] = {
		{ CALLER_MEMBER, "member" }, { CALLER_ADMIN, "admin" }, { CALLER_OWNER, "owner" },
		{ CALLER_DEVICE, "device" }, { CALLER_AGENT, "agent" },
	};
	jw_key(w, "x-station-who");
	jw_array_begin(w);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (who & kinds[i].bit)
			jw_string(w, kinds[i].name);
	jw_array_end(w);

	const char *schemes[4];
	int n = 0;
	if (who & (CALLER_MEMBER | CALLER_ADMIN | CALLER_OWNER)) {
		schemes[n++] = "accessToken";
		schemes[n++] = "accessTokenCookie";
	}
	if (who & CALLER_DEVICE)
		schemes[n++] = "deviceToken";
	if (who & CALLER_AGENT)
		schemes[n++] = "agentToken";
	jw_key(w, "security"); /* alternatives; [] = public */
	jw_array_begin(w);
	for (int i = 0; i < n; i++) {
		jw_object_begin(w);
		jw_key(w, schemes[i]);
		jw_array_begin(w);
		jw_array_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void write_parameters(struct jw *w, const struct route *r)
{
	bool has_params = strchr(r->path, ':') != NULL || (r->query && r->query->name);
	if (!has_params)
		return;
	jw_key(w, "parameters");
	jw_array_begin(w);
	for (const char *p = strchr(r->path, ':'); p; p = strchr(p + 1, ':')) {
		size_t len = strcspn(p + 1, "/");
		jw_object_begin(w);
		jw_key(w, "name");
		jw_string_n(w, p + 1, len);
		jw_member_string(w, "in", "path");
		jw_member_bool(w, "required", true);
		jw_key(w, "schema");
		jw_object_begin(w);
		jw_member_string(w, "type", "string");
		if (!r->text_params)
			jw_member_string(w, "format", "uuid");
		jw_object_end(w);
		if (!r->text_params)
			jw_member_string(w, "description", "a UUID; anything else is a 404");
		jw_object_end(w);
	}
	for (const struct field *f = r->query; f && f->name; f++) {
		jw_object_begin(w);
		jw_member_string(w, "name", f->name);
		jw_member_string(w, "in", "query");
		jw_member_bool(w, "required", f->required);
		jw_key(w, "schema");
		write_field_schema(w, f, USE_QUERY);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void write_request_body(struct jw *w, const struct route *r)
{
	if (r->raw_body) {
		jw_key(w, "requestBody");
		jw_object_begin(w);
		jw_member_bool(w, "required", true);
		write_octet_stream_content(w);
		jw_object_end(w);
		return;
	}
	if (!r->body)
		return;
	/* No body at all is validated as {}: it is required only when a member is. */
	bool required = false;
	for (const struct field *f = r->body; f->name; f++)
		required |= f->required;
	jw_key(w, "requestBody");
	jw_object_begin(w);
	jw_member_bool(w, "required", required);
	write_json_content(w);
	jw_object_begin(w);
	jw_member_string(w, "type", "object");
	write_object_members(w, r->body, USE_BODY);
	jw_object_end(w);
	end_json_content(w);
	jw_object_end(w);
}

/* "/api/devices/:id/command" → "{id}" segments; lower-case method; "post_devices_id_command". */
static const char *document_path(struct arena *a, const char *path)
{
	struct buf b;
	buf_init(&b, a);
	for (const char *p = path; *p;) {
		if (*p == ':') {
			size_t len = strcspn(p + 1, "/");
			buf_printf(&b, "{%.*s}", (int)len, p + 1);
			p += 1 + len;
		} else {
			buf_putc(&b, *p++);
		}
	}
	return b.data;
}

static const char *operation_id(struct arena *a, const struct route *r)
{
	struct buf b;
	buf_init(&b, a);
	for (const char *m = r->method; *m; m++)
		buf_putc(&b, (char)tolower((unsigned char)*m));
	const char *p = strncmp(r->path, "/api/", 5) == 0 ? r->path + 4 : r->path;
	for (; *p; p++) {
		if (isalnum((unsigned char)*p))
			buf_putc(&b, *p);
		else if (*p != ':' && b.data[b.len - 1] != '_')
			buf_putc(&b, '_');
	}
	return b.data;
}

static void write_operation(struct jw *w, struct arena *a, const char *module, const struct route *r)
{
	char method[16];
	size_t i = 0;
	for (; r->method[i] && i < sizeof method - 1; i++)
		method[i] = (char)tolower((unsigned char)r->method[i]);
	method[i] = '\0';
	jw_key(w, method);
	jw_object_begin(w);
	jw_member_string(w, "operationId", operation_id(a, r));
	jw_key(w, "tags");
	jw_array_begin(w);
	jw_string(w, module);
	jw_array_end(w);
	if (r->summary)
		jw_member_string(w, "summary", r->summary);
	write_security(w, r->who);
	write_parameters(w, r);
	write_request_body(w, r);
	write_responses(w, r);
	jw_object_end(w);
}

void openapi_print(const char *module, const struct route *routes)
{
	struct arena *a = arena_new();
	struct buf out;
	buf_init(&out, a);
	struct jw w;
	jw_init(&w, &out);
	jw_object_begin(&w);
	jw_member_string(&w, "module", module);
	jw_key(&w, "paths");
	jw_object_begin(&w);
	/* One path item per distinct path, its operations in table order. */
	for (const struct route *r = routes; r->method; r++) {
		bool seen = false;
		for (const struct route *q = routes; q != r && !seen; q++)
			seen = strcmp(q->path, r->path) == 0;
		if (seen)
			continue;
		jw_key(&w, document_path(a, r->path));
		jw_object_begin(&w);
		for (const struct route *q = r; q->method; q++)
			if (strcmp(q->path, r->path) == 0)
				write_operation(&w, a, module, q);
		jw_object_end(&w);
	}
	jw_object_end(&w);
	jw_object_end(&w);
	buf_putc(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	fflush(stdout);
	arena_destroy(a);
}
