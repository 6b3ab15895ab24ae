/*
 * on_event.c — …/<externalId>/event: {"event":"user_event"|"device_event","data":{"action":…}}.
 *
 * Validated now and queued with the telemetry (application/telemetry.c): written within
 * mqtt.batch_interval_ms, in order with the state messages around it. Never queues a
 * payload that did not validate.
 */
#include "adapters/adapters.h"
#include "domain/payload.h"

void on_event(struct mqttd *m, const char *external_id, const char *payload, size_t len)
{
	struct event_report report;
	if (inbound_valid(external_id, "event",
			  payload_parse_event(m->message_arena, payload, len, m->cfg.json_max_depth, &report)))
		telemetry_receive(m, DEVICE_REPORT_EVENT, external_id, payload, len);
}
