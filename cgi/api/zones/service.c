/*
 * service.c — rules of the zones module (api-zones): an order (PUT /api/zones/order)
 * names every zone exactly once — a repeated id is refused by the body's check, an
 * unknown or a missing one against the table. No SQL here (repo.c).
 */
#include "service.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "repo.h"

const char *zone_ids_unique_check(const struct field_check_input *in, int *status)
{
	(void)status;
	size_t n = json_object_array_length(in->value);
	for (size_t i = 1; i < n; i++) {
		const char *id = json_object_get_string(json_object_array_get_idx(in->value, i));
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(id, json_object_get_string(json_object_array_get_idx(in->value, j))) == 0)
				return arena_printf(in->arena, "%s[%zu]: %s is repeated", in->path, i, id);
	}
	return NULL;
}

int zone_order_or_reply(struct request *req, const char **ids)
{
	struct json_object *array = NULL;
	json_object_object_get_ex(req->body, "ids", &array);
	size_t n = json_object_array_length(array);
	struct buf b;
	buf_init(&b, req->arena);
	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++) { /* UUIDs, checked by the schema: nothing to quote */
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, json_object_get_string(json_object_array_get_idx(array, i)));
	}
	buf_putc(&b, '}');
	PGresult *problems = db_run(req, zones_order_problems, b.data);
	if (!problems)
		return req->status;
	const char *unknown = db_value(problems, 0, ORDER_COL_UNKNOWN);
	const char *missing = db_value(problems, 0, ORDER_COL_MISSING);
	if (unknown) {
		size_t i = strtoul(unknown, NULL, 10);
		return reply_error(req, 400, "ids[%zu]: %s is not a zone", i,
				   json_object_get_string(json_object_array_get_idx(array, i)));
	}
	if (missing)
		return reply_error(req, 400, "ids: zone %s is missing; the order must name every zone", missing);
	*ids = b.data;
	return 0;
}
