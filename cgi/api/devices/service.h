/*
 * service.h — rules of the devices module (api-devices): whether a command fits the
 * device's type, and the credential notice announced with token changes. The external
 * id rule is libstation's (external_id.h), shared with mqttd and the broker plugin.
 */
#ifndef STATION_API_DEVICES_SERVICE_H
#define STATION_API_DEVICES_SERVICE_H

#include <libpq-fe.h>

#include "external_id.h"
#include "runtime.h"

/* Body check (schema.h): factory_reset only from an admin (403). */
const char *device_action_check(const struct field_check_input *in, int *status);

/* Checks a command body against the device's type (a devices_command_target row): the
 * action is the type's or a built-in one, and its declared params are present and of the
 * right kind. 0 with *params_json = the declared params alone, or the status replied (400). */
int device_command_or_reply(struct request *req, const PGresult *target, const char **params_json);

/* device_credentials {"externalId","action"} in the route's transaction: the MQTT side
 * drops the device's live session. 0, or the status replied. */
int device_announce_credentials(struct request *req, const char *external_id, const char *action);

#endif
