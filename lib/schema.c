/*
 * schema.c — validation of untrusted JSON and query strings against declared fields
 * (see schema.h).
 *
 * Error text is part of the interface (tests assert it): "<field>: <what is wrong>",
 * short and lower-case.
 */
#include "schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "utf8.h"
#include "uuid.h"


struct validation;
static const char *validate_value(struct validation *vd, const char *path, struct json_object *v,
				  const struct field *f);

static bool email_is_valid(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@'))
		return false;
	const char *dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || dot[1] == '\0')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == ',')
			return false;
	return strlen(s) <= SCHEMA_EMAIL_MAX;
}

static const char *enum_message(struct arena *a, const char *path, const char *const *values)
{
	struct buf b;
	buf_init(&b, a);
	buf_printf(&b, "%s: must be one of ", path);
	for (int i = 0; values[i]; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", values[i]);
	return b.data;
}

static long long bound_or(struct bound b, long long fallback)
{
	return b.set ? (long long)b.value : fallback;
}

/* A bound as people write it: "100", "0.5". */
static const char *bound_text(struct arena *a, double v)
{
	return v == (double)(long long)v ? arena_printf(a, "%lld", (long long)v) : arena_printf(a, "%.15g", v);
}

/* s holds len bytes (JSON strings may hold U+0000 before their end). */
static const char *check_string(struct arena *a, const char *path, const char *s, size_t len,
				const struct field *f)
{
	switch (f->type) {
	case FIELD_UUID:
		return uuid_is_valid(s) ? NULL : arena_printf(a, "%s: must be a UUID", path);
	case FIELD_EMAIL:
		return email_is_valid(s) ? NULL : arena_printf(a, "%s: must be a valid email", path);
	case FIELD_ENUM:
		for (int i = 0; f->values[i]; i++)
			if (strcmp(s, f->values[i]) == 0)
				return NULL;
		return enum_message(a, path, f->values);
	case FIELD_TIME: {
		long long ms;
		return time_parse_rfc3339(s, &ms) == 0 ? NULL : arena_printf(a, "%s: must be an RFC 3339 timestamp", path);
	}
	default: {
		/* Characters: the text is valid UTF-8, the parser or request.c checked. */
		long long n = f->bytes ? (long long)len : (long long)utf8_codepoints(s);
		long long min = bound_or(f->min, 0), max = bound_or(f->max, SCHEMA_STRING_MAX_DEFAULT);
		const char *unit = f->bytes ? "bytes" : "characters";
		if (n < min)
			return min == 1 ? arena_printf(a, "%s: must not be empty", path)
					: arena_printf(a, "%s: must be at least %lld %s", path, min, unit);
		if (n > max)
			return arena_printf(a, "%s: must be at most %lld %s", path, max, unit);
		return NULL;
	}
	}
}

/* Values against min/max; "an integer between 1 and 10", "… of at least 1", "… of at most 9". */
const char *schema_expected_value(struct arena *a, const struct field *f, const char *kind)
{
	const char *min = bound_text(a, f->min.value), *max = bound_text(a, f->max.value);
	if (f->min.set && f->max.set)
		return arena_printf(a, "%s between %s and %s", kind, min, max);
	if (f->min.set)
		return arena_printf(a, "%s of at least %s", kind, min);
	if (f->max.set)
		return arena_printf(a, "%s of at most %s", kind, max);
	return kind;
}

bool schema_in_range(const struct field *f, double v)
{
	return (!f->min.set || v >= f->min.value) && (!f->max.set || v <= f->max.value);
}

static const char *check_range(struct arena *a, const char *path, double v, const struct field *f, const char *kind)
{
	return schema_in_range(f, v) ? NULL : arena_printf(a, "%s: must be %s", path, schema_expected_value(a, f, kind));
}

struct validation {
	struct arena *arena;
	const void *ctx;
	int status;
};

static const char *validate_members(struct validation *vd, const char *prefix, struct json_object *obj,
				    const struct field *fields);

static const char *validate_kind(struct validation *vd, const char *path, struct json_object *v, const struct field *f)
{
	struct arena *a = vd->arena;
	enum json_type jt = json_object_get_type(v);
	switch (f->type) {
	case FIELD_ANY:
		return NULL;
	case FIELD_STRING:
	case FIELD_UUID:
	case FIELD_EMAIL:
	case FIELD_ENUM:
	case FIELD_TIME:
		if (jt != json_type_string)
			return arena_printf(a, "%s: must be a string", path);
		return check_string(a, path, json_object_get_string(v), (size_t)json_object_get_string_len(v), f);
	case FIELD_INT:
		if (jt != json_type_int)
			return arena_printf(a, "%s: must be an integer", path);
		errno = 0;
		long long i = json_object_get_int64(v);
		if (errno == ERANGE)
			return arena_printf(a, "%s: must be an integer", path);
		return check_range(a, path, (double)i, f, "an integer");
	case FIELD_NUMBER:
		if (jt != json_type_int && jt != json_type_double)
			return arena_printf(a, "%s: must be a number", path);
		return check_range(a, path, json_object_get_double(v), f, "a number");
	case FIELD_BOOL:
		return jt == json_type_boolean ? NULL : arena_printf(a, "%s: must be a boolean", path);
	case FIELD_OBJECT:
		if (jt != json_type_object)
			return arena_printf(a, "%s: must be an object", path);
		return f->fields ? validate_members(vd, path, v, f->fields) : NULL;
	case FIELD_ARRAY: {
		if (jt != json_type_array)
			return arena_printf(a, "%s: must be an array", path);
		long long n = (long long)json_object_array_length(v);
		long long min = bound_or(f->min, 0), max = bound_or(f->max, SCHEMA_ARRAY_MAX_DEFAULT);
		if (n < min || n > max)
			return arena_printf(a, "%s: must have between %lld and %lld items", path, min, max);
		for (long long idx = 0; f->items && idx < n; idx++) {
			struct json_object *item = json_object_array_get_idx(v, (size_t)idx);
			const char *ipath = arena_printf(a, "%s[%lld]", path, idx);
			const char *err = item ? validate_value(vd, ipath, item, f->items)
					       : arena_printf(a, "%s: must not be null", ipath);
			if (err)
				return err;
		}
		return NULL;
	}
	}
	return arena_printf(a, "%s: has an unknown kind", path);
}

static const char *run_check(struct validation *vd, const char *path, struct json_object *v, const struct field *f)
{
	struct field_check_input in = { .arena = vd->arena, .path = path, .value = v, .field = f, .ctx = vd->ctx };
	return f->check(&in, &vd->status);
}

static const char *validate_value(struct validation *vd, const char *path, struct json_object *v, const struct field *f)
{
	const char *err = validate_kind(vd, path, v, f);
	if (err || !f->check)
		return err;
	return run_check(vd, path, v, f);
}

/* The members of obj against fields; prefix is the object's path ("" at the top). */
static const char *validate_members(struct validation *vd, const char *prefix, struct json_object *obj,
				    const struct field *fields)
{
	for (const struct field *f = fields; f->name; f++) {
		struct json_object *v = NULL;
		const char *path = *prefix ? arena_printf(vd->arena, "%s.%s", prefix, f->name) : f->name;
		const char *err = NULL;
		if (!json_object_object_get_ex(obj, f->name, &v))
			err = f->required ? arena_printf(vd->arena, "%s: is required", path) : NULL;
		else if (!v && !f->nullable)
			err = arena_printf(vd->arena, "%s: must not be null", path);
		else if (!v)
			err = f->check ? run_check(vd, path, NULL, f) : NULL;
		else
			err = validate_value(vd, path, v, f);
		if (err)
			return err;
	}
	return NULL;
}

const char *schema_validate_object(struct arena *a, struct json_object *obj, const struct field *fields,
				   const void *ctx, int *status)
{
	struct validation vd = { .arena = a, .ctx = ctx, .status = 400 };
	const char *err = !obj || !json_object_is_type(obj, json_type_object) ? "body: must be a JSON object"
									      : validate_members(&vd, "", obj, fields);
	if (status)
		*status = err ? vd.status : 0;
	return err;
}

const char *schema_validate_query(struct arena *a, query_lookup lookup, const void *ctx, const struct field *fields)
{
	for (const struct field *f = fields; f->name; f++) {
		const char *s = lookup(ctx, f->name);
		if (!s) {
			if (f->required)
				return arena_printf(a, "%s: is required", f->name);
			continue;
		}
		if (f->nullable && strcmp(s, "null") == 0)
			continue;
		switch (f->type) {
		case FIELD_INT: {
			char *end;
			errno = 0;
			long long v = strtoll(s, &end, 10);
			if (errno || end == s || *end)
				return arena_printf(a, "%s: must be an integer", f->name);
			const char *err = check_range(a, f->name, (double)v, f, "an integer");
			if (err)
				return err;
			break;
		}
		case FIELD_BOOL:
			if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0)
				return arena_printf(a, "%s: must be true or false", f->name);
			break;
		default: {
			const char *err = check_string(a, f->name, s, strlen(s), f);
			if (err)
				return err;
		}
		}
	}
	return NULL;
}

const char *field_type_name(enum field_type t)
{
	static const char *const names[] = {
		[FIELD_STRING] = "string", [FIELD_INT] = "integer", [FIELD_NUMBER] = "number",
		[FIELD_BOOL] = "boolean",  [FIELD_UUID] = "uuid",   [FIELD_EMAIL] = "email",
		[FIELD_ENUM] = "enum",     [FIELD_TIME] = "time",   [FIELD_OBJECT] = "object",
		[FIELD_ARRAY] = "array",   [FIELD_ANY] = "any",
	};
	_Static_assert(sizeof names / sizeof names[0] == FIELD_ANY + 1, "a name for every field type");
	return (unsigned)t <= FIELD_ANY ? names[t] : "unknown";
}

const char *schema_not_blank(const struct field_check_input *in, int *status)
{
	(void)status;
	const char *s = in->value ? json_object_get_string(in->value) : NULL;
	if (s && s[strspn(s, " \t\r\n")] == '\0')
		return arena_printf(in->arena, "%s: must not be blank", in->path);
	return NULL;
}
