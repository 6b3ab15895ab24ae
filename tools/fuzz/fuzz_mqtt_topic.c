/*
 * fuzz_mqtt_topic.c — the topic a device published on (daemons/mqttd/domain/topic.c):
 * station/<stationId>/device/<externalId>/<suffix>, refused unless exactly that.
 *
 * Invariants: a topic that parses is rebuilt by device_topic_build() from its parts to
 * the same text, and its external id is one the devices API accepts.
 */
#include "domain/topic.h"
#include "fuzz.h"

#define STATION_ID "8d3f0c1e-5b7a-4c2d-9e6f-1a2b3c4d5e6f"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const char *topic = fuzz_text(a, data, size);
	struct device_topic t;
	const char *reason = NULL;
	if (device_topic_parse(topic, STATION_ID, &t, &reason) == 0) {
		FUZZ_CHECK(device_external_id_valid(t.external_id, strlen(t.external_id)));
		const char *built = device_topic_build(a, STATION_ID, t.external_id, device_topic_suffix(t.kind));
		FUZZ_CHECK(strcmp(built, topic) == 0);
	} else {
		FUZZ_CHECK(reason && *reason);
	}
	arena_destroy(a);
	return 0;
}
