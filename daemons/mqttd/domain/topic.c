/*
 * topic.c — parsing and building device topics (see topic.h).
 *
 * The broker already refuses wildcards in published topics, but this parser does not
 * rely on it: a topic is data from the network. It never allocates while parsing and
 * never reads past the terminating NUL.
 */
#include "domain/topic.h"

#include <string.h>

static const char *const suffixes[] = {
	[DEVICE_TOPIC_HANDSHAKE] = "handshake",
	[DEVICE_TOPIC_STATE] = "state",
	[DEVICE_TOPIC_EVENT] = "event",
	[DEVICE_TOPIC_HEARTBEAT] = "heartbeat",
};
#define SUFFIX_COUNT (sizeof suffixes / sizeof suffixes[0])

/* A level of the topic: start and length. */
struct level {
	const char *s;
	size_t n;
};

static bool level_is(const struct level *l, const char *text)
{
	return l->n == strlen(text) && memcmp(l->s, text, l->n) == 0;
}

int device_topic_parse(const char *topic, const char *station_id, struct device_topic *out,
		       const char **reason)
{
	struct level levels[5];
	size_t count = 0;
	if (!topic || !*topic) {
		*reason = "empty topic";
		return -1;
	}
	if (strpbrk(topic, "+#")) {
		*reason = "wildcard in topic";
		return -1;
	}
	const char *p = topic;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0) {
			*reason = "empty topic level";
			return -1;
		}
		if (count == 5) {
			*reason = "too many topic levels";
			return -1;
		}
		levels[count].s = p;
		levels[count].n = n;
		count++;
		if (!slash)
			break;
		p = slash + 1;
	}
	if (count != 5 || !level_is(&levels[0], "station") || !level_is(&levels[2], "device")) {
		*reason = "not a device topic";
		return -1;
	}
	if (!station_id || !level_is(&levels[1], station_id)) {
		*reason = "another station";
		return -1;
	}
	if (!device_external_id_valid(levels[3].s, levels[3].n)) {
		*reason = "invalid device id";
		return -1;
	}
	for (size_t i = 0; i < SUFFIX_COUNT; i++) {
		if (level_is(&levels[4], suffixes[i])) {
			out->kind = (enum device_topic_kind)i;
			memcpy(out->external_id, levels[3].s, levels[3].n);
			out->external_id[levels[3].n] = '\0';
			return 0;
		}
	}
	*reason = "unknown suffix";
	return -1;
}

const char *device_topic_suffix(enum device_topic_kind kind)
{
	return (size_t)kind < SUFFIX_COUNT ? suffixes[kind] : "";
}

char *device_topic_build(struct arena *arena, const char *station_id, const char *external_id,
			 const char *suffix)
{
	return arena_printf(arena, "station/%s/device/%s/%s", station_id, external_id, suffix);
}

char *device_topic_filter(struct arena *arena, const char *station_id, enum device_topic_kind kind)
{
	return device_topic_build(arena, station_id, "+", device_topic_suffix(kind));
}
