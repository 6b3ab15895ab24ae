/*
 * schema_unique.c — the stock "no duplicates" checks of array fields (schema.h), shared
 * by every body that lists things by name: a registry type's capabilities, commands and
 * events, a device's event settings. The message names the later of two equal items:
 * "commands[2].action: already declared".
 */
#include <string.h>

#include "json_reader.h"
#include "schema.h"

/* The first item of the array whose `key` member (NULL: the item itself) repeats an
 * earlier one, as a message; NULL when all differ. */
static const char *first_repeat(const struct field_check_input *in, const char *key)
{
	size_t n = json_object_array_length(in->value);
	for (size_t i = 1; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(in->value, i);
		const char *s = key ? json_get_string(item, key) : json_object_get_string(item);
		for (size_t j = 0; j < i; j++) {
			struct json_object *other = json_object_array_get_idx(in->value, j);
			const char *t = key ? json_get_string(other, key) : json_object_get_string(other);
			if (s && t && strcmp(s, t) == 0)
				return key ? arena_printf(in->arena, "%s[%zu].%s: already declared", in->path, i, key)
					   : arena_printf(in->arena, "%s[%zu]: already declared", in->path, i);
		}
	}
	return NULL;
}

const char *schema_unique_keys_check(const struct field_check_input *in, int *status)
{
	(void)status;
	return first_repeat(in, "key");
}

const char *schema_unique_actions_check(const struct field_check_input *in, int *status)
{
	(void)status;
	return first_repeat(in, "action");
}

const char *schema_unique_items_check(const struct field_check_input *in, int *status)
{
	(void)status;
	return first_repeat(in, NULL);
}
