/*
 * service.c — rules of the ota module (service.h). No SQL here.
 */
#include "service.h"

#include <ctype.h>
#include <string.h>


int ota_own_device_or_reply(struct request *req, const char *field, const char *value)
{
	const struct caller *c = &req->caller;
	if ((c->device_id && strcmp(value, c->device_id) == 0) ||
	    (c->device_external_id && strcmp(value, c->device_external_id) == 0))
		return 0;
	return reply_error(req, 403, "%s: not this device", field);
}

const char *ota_cache_name_problem(const char *file)
{
	size_t n = strlen(file);
	bool ok = n > 4 && n <= 200 && strcmp(file + n - 4, ".bin") == 0 && isalnum((unsigned char)file[0]);
	for (const char *p = file; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || strchr(".+_@-", *p);
	return ok ? NULL : "file: must be a file name of the firmware cache (letters, digits and . + _ @ -, ending in .bin)";
}
