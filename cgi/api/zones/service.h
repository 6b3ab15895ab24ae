/*
 * service.h — rules of the zones module (api-zones) that a route table cannot hold: an
 * order that names every zone exactly once.
 */
#ifndef STATION_API_ZONES_SERVICE_H
#define STATION_API_ZONES_SERVICE_H

#include "runtime.h"

/* Body check (schema.h): no id twice in an order ("ids[2]: <id> is repeated"); ids compare as UUIDs,
 * whatever their case. */
const char *zone_ids_unique_check(const struct field_check_input *in, int *status);

/* The body's ids as a PostgreSQL uuid[] literal, once they name every zone and nothing
 * else: 0 with *ids set, or the status replied (400 naming the unknown or missing id). */
int zone_order_or_reply(struct request *req, const char **ids);

#endif
