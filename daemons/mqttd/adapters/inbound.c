/*
 * inbound.c — every MQTT message a device sends enters here.
 *
 * Checks, in order: a retained message is stale (it was stored by the broker for new
 * subscribers, not sent now) and is ignored; the topic must be
 * station/<our id>/device/<externalId>/<suffix> (domain/topic.c); the payload must be
 * at most mqtt.max_payload bytes. Then the file of its kind takes it, with an arena for
 * this message that is reset afterwards. Anything refused is logged with the device id
 * and topic and dropped — never fatal, and never the payload bytes in a log line.
 * Warnings are rate-limited so a hostile flood cannot fill the disk.
 */
#include <stdio.h>
#include <string.h>

#include "adapters/adapters.h"
#include "domain/payload.h"
#include "domain/topic.h"
#include "infrastructure/log_limit.h"
#include "log.h"
#include "timeutil.h"

#define TOPIC_LOG_MAX 160

static struct log_limit drop_limit = LOG_LIMIT(20);

void inbound_dropped(const char *external_id, const char *topic, const char *reason)
{
	unsigned long long silenced = 0;
	if (!log_limit_allow(&drop_limit, time_monotonic_ms(), &silenced))
		return;
	char shown[TOPIC_LOG_MAX + 4];
	snprintf(shown, sizeof shown, "%.*s%s", TOPIC_LOG_MAX, topic ? topic : "",
		 topic && strlen(topic) > TOPIC_LOG_MAX ? "..." : "");
	if (silenced) {
		char n[24];
		snprintf(n, sizeof n, "%llu", silenced);
		log_fields(LOG_WARN, "message dropped", "deviceId", external_id ? external_id : "", "topic", shown,
			   "reason", reason, "alsoDroppedUnlogged", n, NULL);
	} else {
		log_fields(LOG_WARN, "message dropped", "deviceId", external_id ? external_id : "", "topic", shown,
			   "reason", reason, NULL);
	}
}

bool inbound_valid(const char *external_id, const char *kind, const char *reason)
{
	if (reason)
		inbound_dropped(external_id, kind, reason);
	return !reason;
}

void inbound_telemetry(struct mqttd *m, enum device_report_kind kind, const char *name, const char *external_id,
		       const char *payload, size_t len)
{
	struct device_report report;
	if (inbound_valid(external_id, name,
			  payload_parse_report(m->message_arena, kind, payload, len, m->cfg.json_max_depth, &report)))
		telemetry_receive(m, kind, external_id, payload, len);
}

typedef void (*inbound_handler)(struct mqttd *m, const char *external_id, const char *payload, size_t len);

static const inbound_handler handlers[] = {
	[DEVICE_TOPIC_HANDSHAKE] = on_handshake,
	[DEVICE_TOPIC_STATE] = on_state,
	[DEVICE_TOPIC_EVENT] = on_event,
	[DEVICE_TOPIC_HEARTBEAT] = on_heartbeat,
};

void adapters_message(void *ctx, const char *topic, const void *payload, int len, bool retained)
{
	struct mqttd *m = ctx;
	struct device_topic t;
	const char *reason = NULL;
	if (device_topic_parse(topic, m->station_id, &t, &reason) != 0) {
		inbound_dropped(NULL, topic, reason);
		return;
	}
	if (retained) {
		log_fields(LOG_DEBUG, "retained message ignored", "deviceId", t.external_id, "topic", topic, NULL);
		return;
	}
	if (len < 0 || (size_t)len > m->cfg.max_payload) {
		char why[64];
		snprintf(why, sizeof why, "payload of %d bytes exceeds %zu", len, m->cfg.max_payload);
		inbound_dropped(t.external_id, topic, why);
		return;
	}
	handlers[t.kind](m, t.external_id, payload, (size_t)len);
	arena_reset(m->message_arena);
}
