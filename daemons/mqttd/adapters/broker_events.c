/*
 * broker_events.c — the broker session's callbacks, wired to the use cases.
 *
 * connected: subscribe (QoS 1) to the four device topics of this station and wake the
 * outbox; lost: forget unacknowledged publishes; published: a PUBACK for a command;
 * message: inbound.c. These run inside libmosquitto's loop calls: they may publish,
 * never free the session.
 */
#include "adapters/adapters.h"
#include "domain/topic.h"
#include "log.h"

void adapters_connected(void *ctx)
{
	struct mqttd *m = ctx;
	static const enum device_topic_kind kinds[] = { DEVICE_TOPIC_HANDSHAKE, DEVICE_TOPIC_STATE, DEVICE_TOPIC_EVENT,
							DEVICE_TOPIC_HEARTBEAT };
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		broker_subscribe(m->broker, device_topic_filter(m->message_arena, m->station_id, kinds[i]), 1);
	arena_reset(m->message_arena);
	outbox_wake(m);
}

void adapters_lost(void *ctx)
{
	outbox_session_lost(ctx);
}

void adapters_published(void *ctx, int mid)
{
	outbox_acknowledged(ctx, mid);
}
