/*
 * on_heartbeat.c — …/<externalId>/heartbeat: {"status":"online"} periodically, and
 * {"status":"offline"} as the device's Last Will, published by the broker when the
 * device vanishes.
 *
 * Validated now and queued with the telemetry (application/telemetry.c): a Last Will
 * turns its device offline within mqtt.batch_interval_ms, after any state the device
 * sent before it. Never queues a payload that did not validate.
 */
#include "adapters/adapters.h"

void on_heartbeat(struct mqttd *m, const char *external_id, const char *payload, size_t len)
{
	inbound_telemetry(m, DEVICE_REPORT_HEARTBEAT, "heartbeat", external_id, payload, len);
}
