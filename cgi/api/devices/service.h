/*
 * service.h — rules of the devices module (api-devices): which host a device is told
 * to dial, whether a command fits the device's type, and the push and credential
 * messages announced with every change. The external id rule is libstation's
 * (external_id.h), shared with mqttd.
 */
#ifndef STATION_API_DEVICES_SERVICE_H
#define STATION_API_DEVICES_SERVICE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "runtime.h"

/* Body checks (schema.h): the external id alphabet; factory_reset only from an admin (403). */
const char *device_external_id_check(const struct field_check_input *in, int *status);
const char *device_action_check(const struct field_check_input *in, int *status);

/*
 * Checks POST /api/devices/:id/command against the device's type (a devices_command_target
 * row): the action is one of the type's commands or a built-in one, and the declared params are present and of the right type. Returns 0 with *params_json
 * set to the body without "action", or the status it replied (400/403).
 */
int device_command_or_reply(struct request *req, const PGresult *target, const char **params_json);

/* device_credentials {"externalId","action"} in the route's transaction: the MQTT side
 * drops the device's live session. 0, or the status replied. (Changes of the device
 * itself are announced with announce_row_or_reply(), SPEC §6.) */
int device_announce_credentials(struct request *req, const char *external_id, const char *action);

#endif
