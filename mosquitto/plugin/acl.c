/*
 * acl.c — the broker's topic rules (SPEC §5), pure: see acl.h.
 *
 * A device (username U) may publish only station/<sid>/device/U/{handshake,state,event,
 * heartbeat} and receive or subscribe only station/<sid>/device/U/command and
 * …/U/handshake/ack, with no wildcard in its subscriptions. An anonymous legacy device has
 * the same rules with any one level in place of U. The station's daemons may use
 * everything under station/ and read $SYS. Everything else is refused; this file must
 * never grow a rule that allows by default, and never allocate or do I/O.
 */
#include "acl.h"

#include <stddef.h>
#include <string.h>

/* station / <sid> / device / <id> / handshake / ack: the deepest topic a device may use. */
#define DEVICE_MAX_LEVELS 6

struct level {
	const char *s;
	size_t n;
};

/* Splits topic at '/'; the number of levels, or -1 when there are more than max. */
static int split_levels(const char *topic, struct level *out, int max)
{
	int n = 0;
	const char *p = topic;
	for (;;) {
		const char *slash = strchr(p, '/');
		if (n == max)
			return -1;
		out[n].s = p;
		out[n].n = slash ? (size_t)(slash - p) : strlen(p);
		n++;
		if (!slash)
			return n;
		p = slash + 1;
	}
}

static bool level_is(const struct level *l, const char *s)
{
	return l->n == strlen(s) && memcmp(l->s, s, l->n) == 0;
}

/* True when topic is root itself or lies below it (root "station": "station", "station/…"). */
static bool topic_under(const char *topic, const char *root)
{
	size_t n = strlen(root);
	return strncmp(topic, root, n) == 0 && (topic[n] == '\0' || topic[n] == '/');
}

static bool device_may_publish(const struct level *suffix)
{
	static const char *const kinds[] = { "handshake", "state", "event", "heartbeat" };
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (level_is(suffix, kinds[i]))
			return true;
	return false;
}

/* username NULL: an anonymous device, for which any one level stands in for its id. */
static const char *device_rule(const char *username, const char *station_id, const char *topic,
			       enum acl_access access)
{
	struct level lv[DEVICE_MAX_LEVELS];

	if (strpbrk(topic, "+#"))
		return access == ACL_SUBSCRIBE ? "wildcards are refused in device subscriptions" : "wildcard in topic";
	int n = split_levels(topic, lv, DEVICE_MAX_LEVELS);
	if (n < 0)
		return "not a device topic";
	for (int i = 0; i < n; i++)
		if (lv[i].n == 0)
			return "empty topic level";
	if (n < 5 || !level_is(&lv[0], "station") || !level_is(&lv[2], "device"))
		return "not a device topic";
	if (station_id && *station_id && !level_is(&lv[1], station_id))
		return "another station";
	if (username && !level_is(&lv[3], username))
		return "another device's topic";

	if (access == ACL_WRITE) {
		if (n == 5 && device_may_publish(&lv[4]))
			return NULL;
		return "devices publish only handshake, state, event and heartbeat";
	}
	if ((n == 5 && level_is(&lv[4], "command")) ||
	    (n == 6 && level_is(&lv[4], "handshake") && level_is(&lv[5], "ack")))
		return NULL;
	return "devices receive only command and handshake/ack";
}

static const char *daemon_rule(const char *topic, enum acl_access access)
{
	if (topic_under(topic, "station"))
		return NULL;
	if (topic_under(topic, "$SYS") && (access == ACL_READ || access == ACL_SUBSCRIBE))
		return NULL;
	return "daemons are limited to station/# and reading $SYS";
}

const char *acl_check(enum acl_client client, const char *username, const char *station_id,
		      const char *topic, enum acl_access access)
{
	if (access == ACL_UNSUBSCRIBE)
		return NULL;
	if (access != ACL_READ && access != ACL_WRITE && access != ACL_SUBSCRIBE)
		return "unknown access";
	if (!topic || !*topic)
		return "empty topic";

	switch (client) {
	case ACL_CLIENT_DAEMON:
		return daemon_rule(topic, access);
	case ACL_CLIENT_DEVICE:
		if (!username || !*username)
			return "device without a username";
		return device_rule(username, station_id, topic, access);
	case ACL_CLIENT_ANONYMOUS:
		return device_rule(NULL, station_id, topic, access);
	}
	return "unknown client";
}

bool acl_allows(enum acl_client client, const char *username, const char *station_id, const char *topic,
		enum acl_access access)
{
	return acl_check(client, username, station_id, topic, access) == NULL;
}
