/*
 * test_mqtt_acl.c — the broker's topic rules (mosquitto/plugin/acl.c, SPEC §5): what a
 * device, an anonymous legacy device and the station's daemons may publish, receive and
 * subscribe, and the reason given for each refusal.
 */
#include "acl.h"
#include "tap.h"

#define SID "6b1e8f8e-4f5b-4d7a-9d39-2c1f1c8a6f10"
#define OTHER_SID "00000000-0000-0000-0000-000000000000"
#define DEV "hall-light"
#define BASE "station/" SID "/device/" DEV "/"

#define DEVICE ACL_CLIENT_DEVICE
#define DAEMON ACL_CLIENT_DAEMON
#define ANON ACL_CLIENT_ANONYMOUS

#define PUBLISH_ONLY "devices publish only handshake, state, event and heartbeat"
#define RECEIVE_ONLY "devices receive only command and handshake/ack"
#define NO_WILDCARDS "wildcards are refused in device subscriptions"
#define DAEMON_LIMITS "daemons are limited to station/# and reading $SYS"

/* The verdict as a string: "allowed" or the reason. */
static const char *verdict(enum acl_client client, const char *user, const char *sid, const char *topic,
			   enum acl_access access)
{
	const char *reason = acl_check(client, user, sid, topic, access);
	return reason ? reason : "allowed";
}

/* Who, as which user, on which station, which topic, for what: the verdict expected. */
static const struct acl_case {
	enum acl_client client;
	const char *user;
	const char *sid;
	const char *topic;
	enum acl_access access;
	const char *expect;
	const char *name;
} cases[] = {
	/* device publishes */
	{ DEVICE, DEV, SID, BASE "handshake", ACL_WRITE, "allowed", "device publishes its handshake" },
	{ DEVICE, DEV, SID, BASE "state", ACL_WRITE, "allowed", "device publishes its state" },
	{ DEVICE, DEV, SID, BASE "event", ACL_WRITE, "allowed", "device publishes its event" },
	{ DEVICE, DEV, SID, BASE "heartbeat", ACL_WRITE,
	  "allowed", "device publishes its heartbeat (and its Last Will there)" },
	{ DEVICE, "a.b:c_d-1", SID, "station/" SID "/device/a.b:c_d-1/state", ACL_WRITE,
	  "allowed", "every character an external id may hold" },
	{ DEVICE, DEV, SID, BASE "command", ACL_WRITE, PUBLISH_ONLY, "device may not publish a command" },
	{ DEVICE, DEV, SID, BASE "handshake/ack", ACL_WRITE, PUBLISH_ONLY, "device may not forge its ack" },
	{ DEVICE, DEV, SID, BASE "bogus", ACL_WRITE, PUBLISH_ONLY, "unknown suffix" },
	{ DEVICE, DEV, SID, BASE "state/extra", ACL_WRITE, PUBLISH_ONLY, "level below state" },
	{ DEVICE, DEV, SID, BASE "stat", ACL_WRITE, PUBLISH_ONLY, "a prefix of state" },
	{ DEVICE, DEV, SID, BASE "states", ACL_WRITE, PUBLISH_ONLY, "state with a tail" },
	{ DEVICE, DEV, SID, "station/" SID "/device/" DEV, ACL_WRITE, "not a device topic", "its own root" },
	{ DEVICE, DEV, SID, "station/" SID "/device/kitchen-light/state", ACL_WRITE,
	  "another device's topic", "another device's state" },
	{ DEVICE, DEV, SID, "station/" SID "/device/hall-light2/state", ACL_WRITE,
	  "another device's topic", "a device whose id starts with ours" },
	{ DEVICE, DEV, SID, "station/" SID "/device/hall-ligh/state", ACL_WRITE,
	  "another device's topic", "a device whose id is a prefix of ours" },
	{ DEVICE, DEV, SID, "station/" OTHER_SID "/device/" DEV "/state", ACL_WRITE,
	  "another station", "another station" },
	{ DEVICE, DEV, SID, "station/" SID "x/device/" DEV "/state", ACL_WRITE,
	  "another station", "a longer station id" },
	{ DEVICE, DEV, SID, "station/" SID "/devices/" DEV "/state", ACL_WRITE,
	  "not a device topic", "devices instead of device" },
	{ DEVICE, DEV, SID, "stations/" SID "/device/" DEV "/state", ACL_WRITE,
	  "not a device topic", "stations instead of station" },
	{ DEVICE, DEV, SID, "other/topic", ACL_WRITE, "not a device topic", "outside station/" },
	{ DEVICE, DEV, SID, "station/" SID "/device/" DEV "/handshake/ack/x", ACL_WRITE,
	  "not a device topic", "more levels than any device topic" },
	{ DEVICE, DEV, SID, "/station/" SID "/device/" DEV "/state", ACL_WRITE, "empty topic level", "leading slash" },
	{ DEVICE, DEV, SID, BASE "state/", ACL_WRITE, "empty topic level", "trailing slash" },
	{ DEVICE, DEV, SID, "station//device/" DEV "/state", ACL_WRITE, "empty topic level", "empty station level" },
	{ DEVICE, DEV, SID, "", ACL_WRITE, "empty topic", "empty topic" },
	{ DEVICE, DEV, SID, "$SYS/broker/uptime", ACL_WRITE, "not a device topic", "$SYS" },
	/* device receives */
	{ DEVICE, DEV, SID, BASE "command", ACL_SUBSCRIBE, "allowed", "device subscribes its commands" },
	{ DEVICE, DEV, SID, BASE "handshake/ack", ACL_SUBSCRIBE, "allowed", "device subscribes its ack" },
	{ DEVICE, DEV, SID, BASE "command", ACL_READ, "allowed", "device receives its commands" },
	{ DEVICE, DEV, SID, BASE "handshake/ack", ACL_READ, "allowed", "device receives its ack" },
	{ DEVICE, DEV, SID, "station/" SID "/device/kitchen-light/command", ACL_SUBSCRIBE,
	  "another device's topic", "another device's commands" },
	{ DEVICE, DEV, SID, "station/" SID "/device/kitchen-light/command", ACL_READ,
	  "another device's topic", "another device's commands are never delivered" },
	{ DEVICE, DEV, SID, "station/" SID "/device/kitchen-light/handshake/ack", ACL_SUBSCRIBE,
	  "another device's topic", "another device's ack" },
	{ DEVICE, DEV, SID, "station/" OTHER_SID "/device/" DEV "/command", ACL_SUBSCRIBE,
	  "another station", "another station's commands" },
	{ DEVICE, DEV, SID, BASE "state", ACL_SUBSCRIBE, RECEIVE_ONLY, "its own state" },
	{ DEVICE, DEV, SID, BASE "state", ACL_READ, RECEIVE_ONLY, "its own state is not delivered to it" },
	{ DEVICE, DEV, SID, BASE "handshake", ACL_SUBSCRIBE, RECEIVE_ONLY, "its own handshake" },
	{ DEVICE, DEV, SID, BASE "handshake/nack", ACL_SUBSCRIBE, RECEIVE_ONLY, "handshake/nack" },
	{ DEVICE, DEV, SID, BASE "command/x", ACL_SUBSCRIBE, RECEIVE_ONLY, "below command" },
	{ DEVICE, DEV, SID, BASE "#", ACL_SUBSCRIBE, NO_WILDCARDS, "# under its own root" },
	{ DEVICE, DEV, SID, BASE "+", ACL_SUBSCRIBE, NO_WILDCARDS, "+ under its own root" },
	{ DEVICE, DEV, SID, "station/" SID "/device/+/command", ACL_SUBSCRIBE,
	  NO_WILDCARDS, "every device's commands" },
	{ DEVICE, DEV, SID, "station/+/device/" DEV "/command", ACL_SUBSCRIBE, NO_WILDCARDS, "+ for the station" },
	{ DEVICE, DEV, SID, "#", ACL_SUBSCRIBE, NO_WILDCARDS, "everything" },
	{ DEVICE, DEV, SID, BASE "handshake/+", ACL_SUBSCRIBE, NO_WILDCARDS, "+ below handshake" },
	{ DEVICE, "+", SID, "station/" SID "/device/+/command", ACL_SUBSCRIBE,
	  NO_WILDCARDS, "a username of + gains nothing" },
	{ DEVICE, "#", SID, "station/" SID "/device/#", ACL_SUBSCRIBE, NO_WILDCARDS, "a username of # gains nothing" },
	{ DEVICE, "a/b", SID, "station/" SID "/device/a/b/command", ACL_SUBSCRIBE,
	  "another device's topic", "a username with a slash matches no level" },
	{ DEVICE, "", SID, "station/" SID "/device//command", ACL_SUBSCRIBE,
	  "device without a username", "empty username" },
	{ DEVICE, NULL, SID, BASE "command", ACL_SUBSCRIBE, "device without a username", "missing username" },
	{ DEVICE, DEV, SID, BASE "state", ACL_UNSUBSCRIBE, "allowed", "unsubscribing is always allowed" },
	{ DEVICE, DEV, SID, "#", ACL_UNSUBSCRIBE, "allowed", "unsubscribing # too" },
	{ DEVICE, DEV, SID, BASE "command", (enum acl_access)0, "unknown access", "no access bit" },
	{ DEVICE, DEV, SID, BASE "command", (enum acl_access)(ACL_READ | ACL_WRITE),
	  "unknown access", "two access bits at once" },
	/* station id unknown */
	{ DEVICE, DEV, NULL, "station/anything/device/" DEV "/state", ACL_WRITE,
	  "allowed", "station id unknown: any level stands for it (NULL)" },
	{ DEVICE, DEV, "", "station/anything/device/" DEV "/command", ACL_SUBSCRIBE,
	  "allowed", "station id unknown: any level stands for it (\"\")" },
	{ DEVICE, DEV, NULL, "station/+/device/" DEV "/command", ACL_SUBSCRIBE,
	  NO_WILDCARDS, "station id unknown: still no wildcard" },
	{ DEVICE, DEV, NULL, "station//device/" DEV "/state", ACL_WRITE,
	  "empty topic level", "station id unknown: still one non-empty level" },
	{ DEVICE, DEV, NULL, "station/a/b/device/" DEV "/state", ACL_WRITE,
	  "not a device topic", "station id unknown: exactly one level" },
	{ DEVICE, DEV, NULL, "station/x/device/other/state", ACL_WRITE,
	  "another device's topic", "station id unknown: still only its own id" },
	/* anonymous devices */
	{ ANON, NULL, SID, "station/" SID "/device/legacy-1/state", ACL_WRITE,
	  "allowed", "anonymous publishes a device's state" },
	{ ANON, NULL, SID, "station/" SID "/device/legacy-1/heartbeat", ACL_WRITE,
	  "allowed", "anonymous publishes a heartbeat" },
	{ ANON, NULL, SID, "station/" SID "/device/legacy-1/command", ACL_SUBSCRIBE,
	  "allowed", "anonymous subscribes one device's commands" },
	{ ANON, NULL, SID, "station/" SID "/device/legacy-1/handshake/ack", ACL_READ,
	  "allowed", "anonymous receives one device's ack" },
	{ ANON, NULL, SID, "station/" SID "/device/legacy-1/command", ACL_WRITE,
	  PUBLISH_ONLY, "anonymous may not publish commands" },
	{ ANON, NULL, SID, "station/" SID "/device/+/command", ACL_SUBSCRIBE,
	  NO_WILDCARDS, "anonymous may not subscribe every device" },
	{ ANON, NULL, SID, "station/" SID "/device/#", ACL_SUBSCRIBE, NO_WILDCARDS, "anonymous may not subscribe #" },
	{ ANON, NULL, SID, "station/" OTHER_SID "/device/legacy-1/state", ACL_WRITE,
	  "another station", "anonymous: another station" },
	{ ANON, NULL, SID, "station/" SID "/device/a/b/state", ACL_WRITE,
	  PUBLISH_ONLY, "anonymous: one level for the id" },
	{ ANON, "ignored", SID, "station/" SID "/device/legacy-2/state", ACL_WRITE,
	  "allowed", "anonymous: a username is not looked at" },
	{ ANON, NULL, SID, "other", ACL_SUBSCRIBE, "not a device topic", "anonymous: outside station/" },
	/* daemons */
	{ DAEMON, "station-mqttd", SID, "station/" SID "/device/+/state", ACL_SUBSCRIBE,
	  "allowed", "daemon subscribes every device's state" },
	{ DAEMON, "station-mqttd", SID, "station/#", ACL_SUBSCRIBE, "allowed", "daemon subscribes station/#" },
	{ DAEMON, "station-mqttd", SID, "station/" SID "/device/x/command", ACL_WRITE,
	  "allowed", "daemon publishes a command" },
	{ DAEMON, "station-mqttd", SID, "station/" SID "/device/x/handshake/ack", ACL_WRITE,
	  "allowed", "daemon publishes an ack" },
	{ DAEMON, "station-mqttd", SID, "station/" SID "/device/x/state", ACL_READ,
	  "allowed", "daemon receives a state" },
	{ DAEMON, "station-mqttd", SID, "station/" OTHER_SID "/anything/at/all", ACL_WRITE,
	  "allowed", "daemon: anything under station/" },
	{ DAEMON, "station-mqttd", SID, "station", ACL_WRITE, "allowed", "daemon: station itself" },
	{ DAEMON, "station-mqttd", SID, "$SYS/broker/clients/connected", ACL_READ, "allowed", "daemon reads $SYS" },
	{ DAEMON, "station-mqttd", SID, "$SYS/#", ACL_SUBSCRIBE, "allowed", "daemon subscribes $SYS/#" },
	{ DAEMON, "station-mqttd", SID, "$SYS/broker/x", ACL_WRITE, DAEMON_LIMITS, "daemon may not write $SYS" },
	{ DAEMON, "station-mqttd", SID, "#", ACL_SUBSCRIBE, DAEMON_LIMITS, "daemon may not subscribe #" },
	{ DAEMON, "station-mqttd", SID, "+/device/x/state", ACL_SUBSCRIBE, DAEMON_LIMITS, "daemon: + for station" },
	{ DAEMON, "station-mqttd", SID, "stations/x", ACL_WRITE, DAEMON_LIMITS, "daemon: stations is not station" },
	{ DAEMON, "station-mqttd", SID, "other/topic", ACL_READ, DAEMON_LIMITS, "daemon: outside station/" },
	{ DAEMON, "station-mqttd", SID, "$SYSTEM/x", ACL_READ, DAEMON_LIMITS, "daemon: $SYSTEM is not $SYS" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct acl_case *c = &cases[i];
		is_str(verdict(c->client, c->user, c->sid, c->topic, c->access), c->expect, "%s", c->name);
	}
	ok(acl_allows(DEVICE, DEV, SID, BASE "state", ACL_WRITE), "acl_allows agrees with acl_check (allowed)");
	ok(!acl_allows(DEVICE, DEV, SID, BASE "command", ACL_WRITE), "acl_allows agrees with acl_check (refused)");
	return done();
}
