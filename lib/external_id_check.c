/*
 * external_id_check.c — the external id rule as a schema check (see external_id.h), for
 * REST bodies. Apart from external_id.c, which the broker plugin compiles alone.
 */
#include <string.h>

#include "external_id.h"
#include "schema.h"

const char *device_external_id_check(const struct field_check_input *in, int *status)
{
	(void)status;
	const char *id = json_object_get_string(in->value);
	return device_external_id_valid(id, strlen(id))
		       ? NULL
		       : arena_printf(in->arena, "%s: must contain only letters, digits, _ . : and -", in->path);
}
