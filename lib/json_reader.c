/*
 * json_reader.c — strict, bounded JSON parsing over json-c (see json_reader.h).
 */
#include "json_reader.h"

#include <string.h>

#include "utf8.h"

static void json_put_cleanup(void *obj)
{
	json_object_put(obj);
}

struct json_object *json_parse(struct arena *arena, const char *data, size_t len, int max_depth,
			       const char **error)
{
	if (len > (size_t)0x7fffffff) {
		*error = "invalid JSON";
		return NULL;
	}
	/* json-c's own check lets overlong forms, surrogates and code points over U+10FFFF
	 * through; PostgreSQL would refuse them later, with a worse message. */
	if (!utf8_valid(data, len)) {
		*error = "invalid UTF-8";
		return NULL;
	}
	struct json_tokener *tok = json_tokener_new_ex(max_depth);
	if (!tok) {
		*error = "invalid JSON";
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	struct json_object *value = json_tokener_parse_ex(tok, data, (int)len);
	enum json_tokener_error err = json_tokener_get_error(tok);
	size_t consumed = json_tokener_get_parse_end(tok);
	if (!value && err == json_tokener_continue && consumed == len) {
		/* A number or literal that ends the input ("1", "true") waits for more: the end
		 * of input (json-c's '\0') ends it, as it ends "1 ". */
		value = json_tokener_parse_ex(tok, "", 1);
		err = json_tokener_get_error(tok);
	}
	json_tokener_free(tok);
	if (value && err == json_tokener_success) {
		/* Only whitespace may follow the value (a NUL byte is not whitespace). */
		for (size_t i = consumed; i < len; i++) {
			if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' && data[i] != '\n') {
				json_object_put(value);
				*error = "invalid JSON";
				return NULL;
			}
		}
		arena_on_reset(arena, json_put_cleanup, value);
		return value;
	}
	if (value)
		json_object_put(value);
	if (err == json_tokener_error_depth)
		*error = arena_printf(arena, "nesting deeper than %d levels", max_depth);
	else if (err == json_tokener_error_parse_utf8_string)
		*error = "invalid UTF-8";
	else
		*error = "invalid JSON";
	return NULL;
}

static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;
	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

const char *json_get_string(struct json_object *obj, const char *key)
{
	struct json_object *v = member(obj, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

bool json_get_int(struct json_object *obj, const char *key, long long *out)
{
	struct json_object *v = member(obj, key);
	if (!v || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

bool json_get_number(struct json_object *obj, const char *key, double *out)
{
	struct json_object *v = member(obj, key);
	if (!v || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return true;
}

bool json_get_bool(struct json_object *obj, const char *key, bool *out)
{
	struct json_object *v = member(obj, key);
	if (!v || !json_object_is_type(v, json_type_boolean))
		return false;
	*out = json_object_get_boolean(v);
	return true;
}

struct json_object *json_get_object(struct json_object *obj, const char *key)
{
	struct json_object *v = member(obj, key);
	return v && json_object_is_type(v, json_type_object) ? v : NULL;
}

struct json_object *json_get_array(struct json_object *obj, const char *key)
{
	struct json_object *v = member(obj, key);
	return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

bool json_has(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;
	return obj && json_object_is_type(obj, json_type_object) && json_object_object_get_ex(obj, key, &v);
}

bool json_is_null(struct json_object *obj, const char *key)
{
	return json_has(obj, key) && member(obj, key) == NULL;
}

const char *json_text(struct arena *arena, struct json_object *value)
{
	return arena_strdup(arena, json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN));
}

struct json_object *json_array_find(struct json_object *array, const char *key, const char *value)
{
	if (!array || !json_object_is_type(array, json_type_array))
		return NULL;
	size_t n = json_object_array_length(array);
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(array, i);
		const char *s = json_get_string(item, key);
		if (s && strcmp(s, value) == 0)
			return item;
	}
	return NULL;
}

bool json_array_has_string(struct json_object *array, const char *s)
{
	size_t n = array && json_object_is_type(array, json_type_array) ? json_object_array_length(array) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(array, i);
		if (json_object_is_type(item, json_type_string) && strcmp(json_object_get_string(item), s) == 0)
			return true;
	}
	return false;
}
