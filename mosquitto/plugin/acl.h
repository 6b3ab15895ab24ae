/*
 * acl.h — the broker's topic rules (SPEC §5) as pure functions: which client may publish,
 * receive and subscribe where.
 *
 * Kept apart from the plugin glue so that every rule is unit-tested without a broker
 * (tests/unit/test_mqtt_acl.c). Nothing here knows about Mosquitto, PostgreSQL or time;
 * nothing here may ever allow by default: a topic no rule names is refused.
 */
#ifndef STATION_MQTT_ACL_H
#define STATION_MQTT_ACL_H

#include <stdbool.h>

/* Who is asking. The plugin glue decides it from the authenticated username. */
enum acl_client {
	ACL_CLIENT_DAEMON,    /* the station's own daemons (mqttd): station/# */
	ACL_CLIENT_DEVICE,    /* username = the device's external id */
	ACL_CLIENT_ANONYMOUS, /* legacy firmware, only when mqtt.allow_anonymous_devices */
};

/* What is asked; the values are Mosquitto's MOSQ_ACL_* bits, so the glue passes them on. */
enum acl_access {
	ACL_READ = 0x01,        /* a message is about to be delivered to the client */
	ACL_WRITE = 0x02,       /* the client publishes (or its Last Will is published) */
	ACL_SUBSCRIBE = 0x04,   /* topic is a subscription filter */
	ACL_UNSUBSCRIBE = 0x08, /* always allowed: dropping a subscription gives nothing */
};

/*
 * NULL when the access is allowed, else a short lower-case reason (for a debug log line
 * and the unit tests). username is the device's external id (ignored for daemons and
 * anonymous clients); station_id is the station's id, or NULL/"" while it is not known
 * yet, in which case any one topic level stands for it.
 */
const char *acl_check(enum acl_client client, const char *username, const char *station_id,
		      const char *topic, enum acl_access access);

/* acl_check(...) == NULL. */
bool acl_allows(enum acl_client client, const char *username, const char *station_id, const char *topic,
		enum acl_access access);

#endif
