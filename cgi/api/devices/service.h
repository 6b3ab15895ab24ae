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

/* mqtt.public_host, or the host of the request without its port; NULL when neither is known. */
const char *device_mqtt_host(struct arena *arena, const char *configured, const char *request_host);

/*
 * Checks POST /api/devices/:id/command against the device's type (a devices_command_target
 * row): the action is one of the type's commands or a built-in one the caller may send,
 * and the declared params are present and of the right type. Returns 0 with *params_json
 * set to the body without "action", or the status it replied (400/403).
 */
int device_command_or_reply(struct request *req, const PGresult *target, const char **params_json);

/* Announces a change on station_events ({"type","data","ts"}, SPEC §6) in the current
 * transaction: device.created / device.updated with row `row` of a device_columns result. */
enum db_status device_announce_row(struct request *req, const char *type, const PGresult *res, int row);
/* device.deleted {deviceId, deviceName}. */
enum db_status device_announce_deleted(struct request *req, const char *device_id, const char *device_name);
/* device_credentials {"externalId","action"}: the MQTT side drops the device's live session. */
enum db_status device_announce_credentials(struct request *req, const char *external_id, const char *action);

#endif
