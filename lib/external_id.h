/*
 * external_id.h — what a device's external id may be, the one rule for every program:
 * 1–64 characters of [A-Za-z0-9_.:-]. The id becomes an MQTT topic level and the
 * device's MQTT username, so the devices API refuses any other (docs/devices.md) and
 * mqttd ignores topics that carry one.
 */
#ifndef STATION_EXTERNAL_ID_H
#define STATION_EXTERNAL_ID_H

#include <stdbool.h>
#include <stddef.h>

#define DEVICE_EXTERNAL_ID_MAX 64

/* True when s[0..n) is a valid external id. */
bool device_external_id_valid(const char *s, size_t n);

/* The same rule as a schema check (schema.h), for a string field that holds an id. */
struct field_check_input;
const char *device_external_id_check(const struct field_check_input *in, int *status);

#endif
