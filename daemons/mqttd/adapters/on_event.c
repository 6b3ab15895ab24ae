/*
 * on_event.c — …/<externalId>/event: {"event":"user_event"|"device_event","data":{"action":…}}.
 *
 * Validated now and queued with the telemetry (application/telemetry.c): written within
 * mqtt.batch_interval_ms, in order with the state messages around it. Never queues a
 * payload that did not validate.
 */
#include "adapters/adapters.h"

void on_event(struct mqttd *m, const char *external_id, const char *payload, size_t len)
{
	inbound_telemetry(m, DEVICE_REPORT_EVENT, "event", external_id, payload, len);
}
