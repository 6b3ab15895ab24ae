/*
 * topic.h — the MQTT topics of the device protocol (SPEC §5), read and written.
 *
 * Devices publish on station/<stationId>/device/<externalId>/<suffix>; the station answers
 * on …/handshake/ack and sends commands on …/command. Parsing is strict: exactly five
 * levels, no empty level, no wildcard character anywhere, our own station id, a known
 * suffix and an external id of the alphabet the devices API allows. Pure: no I/O.
 */
#ifndef MQTTD_DOMAIN_TOPIC_H
#define MQTTD_DOMAIN_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "external_id.h"

enum device_topic_kind {
	DEVICE_TOPIC_HANDSHAKE,
	DEVICE_TOPIC_STATE,
	DEVICE_TOPIC_EVENT,
	DEVICE_TOPIC_HEARTBEAT,
};

struct device_topic {
	enum device_topic_kind kind;
	char external_id[DEVICE_EXTERNAL_ID_MAX + 1];
};

/*
 * Parses a topic a device published on. Returns 0, or -1 with *reason set to a short
 * lower-case text ("wildcard in topic", "another station", "unknown suffix", …).
 */
int device_topic_parse(const char *topic, const char *station_id, struct device_topic *out,
		       const char **reason);

/* "handshake", "state", "event", "heartbeat". */
const char *device_topic_suffix(enum device_topic_kind kind);

/* station/<stationId>/device/<externalId>/<suffix>, in the arena. */
char *device_topic_build(struct arena *arena, const char *station_id, const char *external_id,
			 const char *suffix);

/* The subscription filter of one kind: station/<stationId>/device/+/<suffix>. */
char *device_topic_filter(struct arena *arena, const char *station_id, enum device_topic_kind kind);

#endif
