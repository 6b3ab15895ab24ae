/*
 * on_handshake.c — …/<externalId>/handshake: {"type","firmwareVersion","chip","kit_tag"?}.
 *
 * A payload that does not validate is dropped without an answer (an ack of any kind
 * would be a statement about the device, and only the database may make it). Never
 * answers here: application/handshake.c decides.
 */
#include "adapters/adapters.h"
#include "domain/payload.h"

void on_handshake(struct mqttd *m, const char *external_id, const char *payload, size_t len)
{
	struct handshake_report report;
	if (inbound_valid(external_id, "handshake",
			  payload_parse_handshake(m->message_arena, payload, len, m->cfg.json_max_depth, &report)))
		handshake_receive(m, external_id, &report);
}
