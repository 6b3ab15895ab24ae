/*
 * on_state.c — …/<externalId>/state: {"state":{…}} (partial; merged key by key).
 *
 * Validated now, queued for the next telemetry batch (application/telemetry.c); an
 * unknown device is found out, and dropped, when its batch is written. Never queues a
 * payload that did not validate.
 */
#include "adapters/adapters.h"
#include "domain/payload.h"

void on_state(struct mqttd *m, const char *external_id, const char *payload, size_t len)
{
	struct state_report report;
	if (inbound_valid(external_id, "state",
			  payload_parse_state(m->message_arena, payload, len, m->cfg.json_max_depth, &report)))
		telemetry_receive(m, DEVICE_REPORT_STATE, external_id, payload, len);
}
