/*
 * on_state.c — …/<externalId>/state: {"state":{…}} (partial; merged key by key).
 *
 * Validated now, queued for the next telemetry batch (application/telemetry.c); an
 * unknown device is found out, and dropped, when its batch is written. Never queues a
 * payload that did not validate.
 */
#include "adapters/adapters.h"

void on_state(struct mqttd *m, const char *external_id, const char *payload, size_t len)
{
	inbound_telemetry(m, DEVICE_REPORT_STATE, "state", external_id, payload, len);
}
