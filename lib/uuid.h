/*
 * uuid.h — recognising UUIDs in input (ids are made by Postgres' gen_random_uuid()).
 */
#ifndef STATION_UUID_H
#define STATION_UUID_H

#include <stdbool.h>

/* True for the canonical 8-4-4-4-12 hex form, either case. */
bool uuid_is_valid(const char *s);

#endif
