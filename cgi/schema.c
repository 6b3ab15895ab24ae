/*
 * schema.c — validation of JSON bodies and query strings (see schema.h).
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

#define DEFAULT_STRING_MAX 255
#define DEFAULT_ARRAY_MAX 100

static const char *validate_value(struct arena *a, const char *path, struct json_object *v, const struct field *f);

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
	return strlen(s) <= 254;
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

static const char *check_string(struct arena *a, const char *path, const char *s, const struct field *f)
{
	long long len = (long long)utf8_codepoints(s); /* valid: the parser or request.c checked */
	long long max = f->max ? f->max : DEFAULT_STRING_MAX;
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
	default:
		if (len < f->min)
			return f->min == 1 ? arena_printf(a, "%s: must not be empty", path)
					   : arena_printf(a, "%s: must be at least %lld characters", path, f->min);
		if (len > max)
			return arena_printf(a, "%s: must be at most %lld characters", path, max);
		return NULL;
	}
}

static const char *check_range(struct arena *a, const char *path, double v, const struct field *f, const char *kind)
{
	if ((f->min || f->max) && (v < (double)f->min || v > (double)f->max))
		return arena_printf(a, "%s: must be %s between %lld and %lld", path, kind, f->min, f->max);
	return NULL;
}

static const char *type_name(enum field_type t)
{
	switch (t) {
	case FIELD_INT: return "an integer";
	case FIELD_NUMBER: return "a number";
	case FIELD_BOOL: return "a boolean";
	case FIELD_OBJECT: return "an object";
	case FIELD_ARRAY: return "an array";
	default: return "a string";
	}
}

static const char *validate_value(struct arena *a, const char *path, struct json_object *v, const struct field *f)
{
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
		return check_string(a, path, json_object_get_string(v), f);
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
		if (!f->fields)
			return NULL;
		for (const struct field *m = f->fields; m->name; m++) {
			const char *err = NULL;
			struct json_object *mv = NULL;
			const char *mpath = arena_printf(a, "%s.%s", path, m->name);
			if (!json_object_object_get_ex(v, m->name, &mv))
				err = m->required ? arena_printf(a, "%s: is required", mpath) : NULL;
			else if (!mv)
				err = m->nullable ? NULL : arena_printf(a, "%s: must not be null", mpath);
			else
				err = validate_value(a, mpath, mv, m);
			if (err)
				return err;
		}
		return NULL;
	case FIELD_ARRAY: {
		if (jt != json_type_array)
			return arena_printf(a, "%s: must be an array", path);
		size_t n = json_object_array_length(v);
		long long max = f->max ? f->max : DEFAULT_ARRAY_MAX;
		if ((long long)n < f->min || (long long)n > max)
			return arena_printf(a, "%s: must have between %lld and %lld items", path, f->min, max);
		for (size_t idx = 0; f->items && idx < n; idx++) {
			struct json_object *item = json_object_array_get_idx(v, idx);
			const char *ipath = arena_printf(a, "%s[%zu]", path, idx);
			const char *err = item ? validate_value(a, ipath, item, f->items)
					       : arena_printf(a, "%s: must not be null", ipath);
			if (err)
				return err;
		}
		return NULL;
	}
	}
	return arena_printf(a, "%s: must be %s", path, type_name(f->type));
}

const char *schema_validate_object(struct arena *a, struct json_object *obj, const struct field *fields)
{
	if (!obj || !json_object_is_type(obj, json_type_object))
		return "body: must be a JSON object";
	for (const struct field *f = fields; f->name; f++) {
		struct json_object *v = NULL;
		const char *err;
		if (!json_object_object_get_ex(obj, f->name, &v))
			err = f->required ? arena_printf(a, "%s: is required", f->name) : NULL;
		else if (!v)
			err = f->nullable ? NULL : arena_printf(a, "%s: must not be null", f->name);
		else
			err = validate_value(a, f->name, v, f);
		if (err)
			return err;
	}
	return NULL;
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
			const char *err = check_string(a, f->name, s, f);
			if (err)
				return err;
		}
		}
	}
	return NULL;
}
