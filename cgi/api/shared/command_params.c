/*
 * command_params.c — a command parameter's declared field (see command_params.h).
 */
#include "command_params.h"

#include <string.h>

#include "json_reader.h"

/* A number parameter: any refusal, null or a string included, names the range. */
static const char *number_param_check(const struct field_check_input *in, int *status)
{
	(void)status;
	struct json_object *v = in->value;
	bool number = v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double));
	if (number && schema_in_range(in->field, json_object_get_double(v)))
		return NULL;
	return arena_printf(in->arena, "%s: must be %s", in->path, schema_expected_value(in->arena, in->field, "a number"));
}

static struct field command_param_field(const char *name, struct json_object *capabilities)
{
	struct json_object *cap = json_array_find(capabilities, "key", name);
	const char *type = cap ? json_get_string(cap, "type") : NULL;
	struct field f = { .name = name, .type = FIELD_ANY, .required = true };
	if (type && strcmp(type, "boolean") == 0) {
		f.type = FIELD_BOOL;
	} else if (type) {
		f.nullable = true; /* so that null, too, is refused in number_param_check's words */
		f.check = number_param_check;
		f.min.set = json_get_number(cap, "min", &f.min.value);
		f.max.set = json_get_number(cap, "max", &f.max.value);
	}
	return f;
}

const struct field *command_params_fields(struct arena *arena, struct json_object *declared,
					  struct json_object *capabilities, size_t *n)
{
	struct json_object *params = declared ? json_get_array(declared, "params") : NULL;
	*n = params ? json_object_array_length(params) : 0;
	struct field *fields = arena_alloc(arena, (*n + 1) * sizeof *fields);
	for (size_t i = 0; i < *n; i++)
		fields[i] = command_param_field(json_object_get_string(json_object_array_get_idx(params, i)), capabilities);
	return fields;
}
