/*
 * external_id.c — the external id rule (see external_id.h).
 */
#include "external_id.h"

#include <string.h>

#include "schema.h"

bool device_external_id_valid(const char *s, size_t n)
{
	if (!s || n < 1 || n > DEVICE_EXTERNAL_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.' || c == ':' || c == '-'))
			return false;
	}
	return true;
}

const char *device_external_id_check(const struct field_check_input *in, int *status)
{
	(void)status;
	const char *id = json_object_get_string(in->value);
	return device_external_id_valid(id, strlen(id))
		       ? NULL
		       : arena_printf(in->arena, "%s: must contain only letters, digits, _ . : and -", in->path);
}
