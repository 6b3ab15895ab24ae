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

/* The verdict as a string: "allowed" or the reason. */
static const char *verdict(enum acl_client client, const char *user, const char *sid, const char *topic,
			   enum acl_access access)
{
	const char *reason = acl_check(client, user, sid, topic, access);
	return reason ? reason : "allowed";
}

static void device_publishes(void)
{
	is_str(verdict(DEVICE, DEV, SID, BASE "handshake", ACL_WRITE), "allowed", "device publishes its handshake");
	is_str(verdict(DEVICE, DEV, SID, BASE "state", ACL_WRITE), "allowed", "device publishes its state");
	is_str(verdict(DEVICE, DEV, SID, BASE "event", ACL_WRITE), "allowed", "device publishes its event");
	is_str(verdict(DEVICE, DEV, SID, BASE "heartbeat", ACL_WRITE), "allowed",
	       "device publishes its heartbeat (and its Last Will there)");
	is_str(verdict(DEVICE, "a.b:c_d-1", SID, "station/" SID "/device/a.b:c_d-1/state", ACL_WRITE), "allowed",
	       "every character an external id may hold");

	is_str(verdict(DEVICE, DEV, SID, BASE "command", ACL_WRITE),
	       "devices publish only handshake, state, event and heartbeat", "device may not publish a command");
	is_str(verdict(DEVICE, DEV, SID, BASE "handshake/ack", ACL_WRITE),
	       "devices publish only handshake, state, event and heartbeat", "device may not forge its ack");
	is_str(verdict(DEVICE, DEV, SID, BASE "bogus", ACL_WRITE),
	       "devices publish only handshake, state, event and heartbeat", "unknown suffix");
	is_str(verdict(DEVICE, DEV, SID, BASE "state/extra", ACL_WRITE),
	       "devices publish only handshake, state, event and heartbeat", "level below state");
	is_str(verdict(DEVICE, DEV, SID, BASE "stat", ACL_WRITE),
	       "devices publish only handshake, state, event and heartbeat", "a prefix of state");
	is_str(verdict(DEVICE, DEV, SID, BASE "states", ACL_WRITE),
	       "devices publish only handshake, state, event and heartbeat", "state with a tail");
	is_str(verdict(DEVICE, DEV, SID, "station/" SID "/device/" DEV, ACL_WRITE), "not a device topic",
	       "its own root");

	is_str(verdict(DEVICE, DEV, SID, "station/" SID "/device/kitchen-light/state", ACL_WRITE),
	       "another device's topic", "another device's state");
	is_str(verdict(DEVICE, DEV, SID, "station/" SID "/device/hall-light2/state", ACL_WRITE),
	       "another device's topic", "a device whose id starts with ours");
	is_str(verdict(DEVICE, DEV, SID, "station/" SID "/device/hall-ligh/state", ACL_WRITE),
	       "another device's topic", "a device whose id is a prefix of ours");
	is_str(verdict(DEVICE, DEV, SID, "station/" OTHER_SID "/device/" DEV "/state", ACL_WRITE), "another station",
	       "another station");
	is_str(verdict(DEVICE, DEV, SID, "station/" SID "x/device/" DEV "/state", ACL_WRITE), "another station",
	       "a longer station id");
	is_str(verdict(DEVICE, DEV, SID, "station/" SID "/devices/" DEV "/state", ACL_WRITE), "not a device topic",
	       "devices instead of device");
	is_str(verdict(DEVICE, DEV, SID, "stations/" SID "/device/" DEV "/state", ACL_WRITE), "not a device topic",
	       "stations instead of station");
	is_str(verdict(DEVICE, DEV, SID, "other/topic", ACL_WRITE), "not a device topic", "outside station/");
	is_str(verdict(DEVICE, DEV, SID, "station/" SID "/device/" DEV "/handshake/ack/x", ACL_WRITE),
	       "not a device topic", "more levels than any device topic");
	is_str(verdict(DEVICE, DEV, SID, "/station/" SID "/device/" DEV "/state", ACL_WRITE), "empty topic level",
	       "leading slash");
	is_str(verdict(DEVICE, DEV, SID, BASE "state/", ACL_WRITE), "empty topic level", "trailing slash");
	is_str(verdict(DEVICE, DEV, SID, "station//device/" DEV "/state", ACL_WRITE), "empty topic level",
	       "empty station level");
	is_str(verdict(DEVICE, DEV, SID, "", ACL_WRITE), "empty topic", "empty topic");
	is_str(verdict(DEVICE, DEV, SID, "$SYS/broker/uptime", ACL_WRITE), "not a device topic", "$SYS");
}

static void device_receives(void)
{
	is_str(verdict(DEVICE, DEV, SID, BASE "command", ACL_SUBSCRIBE), "allowed", "device subscribes its commands");
	is_str(verdict(DEVICE, DEV, SID, BASE "handshake/ack", ACL_SUBSCRIBE), "allowed", "device subscribes its ack");
	is_str(verdict(DEVICE, DEV, SID, BASE "command", ACL_READ), "allowed", "device receives its commands");
	is_str(verdict(DEVICE, DEV, SID, BASE "handshake/ack", ACL_READ), "allowed", "device receives its ack");

	is_str(verdict(DEVICE, DEV, SID, "station/" SID "/device/kitchen-light/command", ACL_SUBSCRIBE),
	       "another device's topic", "another device's commands");
	is_str(verdict(DEVICE, DEV, SID, "station/" SID "/device/kitchen-light/command", ACL_READ),
	       "another device's topic", "another device's commands are never delivered");
	is_str(verdict(DEVICE, DEV, SID, "station/" SID "/device/kitchen-light/handshake/ack", ACL_SUBSCRIBE),
	       "another device's topic", "another device's ack");
	is_str(verdict(DEVICE, DEV, SID, "station/" OTHER_SID "/device/" DEV "/command", ACL_SUBSCRIBE),
	       "another station", "another station's commands");
	is_str(verdict(DEVICE, DEV, SID, BASE "state", ACL_SUBSCRIBE), "devices receive only command and handshake/ack",
	       "its own state");
	is_str(verdict(DEVICE, DEV, SID, BASE "state", ACL_READ), "devices receive only command and handshake/ack",
	       "its own state is not delivered to it");
	is_str(verdict(DEVICE, DEV, SID, BASE "handshake", ACL_SUBSCRIBE),
	       "devices receive only command and handshake/ack", "its own handshake");
	is_str(verdict(DEVICE, DEV, SID, BASE "handshake/nack", ACL_SUBSCRIBE),
	       "devices receive only command and handshake/ack", "handshake/nack");
	is_str(verdict(DEVICE, DEV, SID, BASE "command/x", ACL_SUBSCRIBE),
	       "devices receive only command and handshake/ack", "below command");

	is_str(verdict(DEVICE, DEV, SID, BASE "#", ACL_SUBSCRIBE), "wildcards are refused in device subscriptions",
	       "# under its own root");
	is_str(verdict(DEVICE, DEV, SID, BASE "+", ACL_SUBSCRIBE), "wildcards are refused in device subscriptions",
	       "+ under its own root");
	is_str(verdict(DEVICE, DEV, SID, "station/" SID "/device/+/command", ACL_SUBSCRIBE),
	       "wildcards are refused in device subscriptions", "every device's commands");
	is_str(verdict(DEVICE, DEV, SID, "station/+/device/" DEV "/command", ACL_SUBSCRIBE),
	       "wildcards are refused in device subscriptions", "+ for the station");
	is_str(verdict(DEVICE, DEV, SID, "#", ACL_SUBSCRIBE), "wildcards are refused in device subscriptions",
	       "everything");
	is_str(verdict(DEVICE, DEV, SID, BASE "handshake/+", ACL_SUBSCRIBE),
	       "wildcards are refused in device subscriptions", "+ below handshake");
	is_str(verdict(DEVICE, "+", SID, "station/" SID "/device/+/command", ACL_SUBSCRIBE),
	       "wildcards are refused in device subscriptions", "a username of + gains nothing");
	is_str(verdict(DEVICE, "#", SID, "station/" SID "/device/#", ACL_SUBSCRIBE),
	       "wildcards are refused in device subscriptions", "a username of # gains nothing");
	is_str(verdict(DEVICE, "a/b", SID, "station/" SID "/device/a/b/command", ACL_SUBSCRIBE),
	       "another device's topic", "a username with a slash matches no level");
	is_str(verdict(DEVICE, "", SID, "station/" SID "/device//command", ACL_SUBSCRIBE), "device without a username",
	       "empty username");
	is_str(verdict(DEVICE, NULL, SID, BASE "command", ACL_SUBSCRIBE), "device without a username",
	       "missing username");

	is_str(verdict(DEVICE, DEV, SID, BASE "state", ACL_UNSUBSCRIBE), "allowed", "unsubscribing is always allowed");
	is_str(verdict(DEVICE, DEV, SID, "#", ACL_UNSUBSCRIBE), "allowed", "unsubscribing # too");
	is_str(verdict(DEVICE, DEV, SID, BASE "command", (enum acl_access)0), "unknown access", "no access bit");
	is_str(verdict(DEVICE, DEV, SID, BASE "command", (enum acl_access)(ACL_READ | ACL_WRITE)), "unknown access",
	       "two access bits at once");
}

static void station_id_unknown(void)
{
	is_str(verdict(DEVICE, DEV, NULL, "station/anything/device/" DEV "/state", ACL_WRITE), "allowed",
	       "station id unknown: any level stands for it (NULL)");
	is_str(verdict(DEVICE, DEV, "", "station/anything/device/" DEV "/command", ACL_SUBSCRIBE), "allowed",
	       "station id unknown: any level stands for it (\"\")");
	is_str(verdict(DEVICE, DEV, NULL, "station/+/device/" DEV "/command", ACL_SUBSCRIBE),
	       "wildcards are refused in device subscriptions", "station id unknown: still no wildcard");
	is_str(verdict(DEVICE, DEV, NULL, "station//device/" DEV "/state", ACL_WRITE), "empty topic level",
	       "station id unknown: still one non-empty level");
	is_str(verdict(DEVICE, DEV, NULL, "station/a/b/device/" DEV "/state", ACL_WRITE), "not a device topic",
	       "station id unknown: exactly one level");
	is_str(verdict(DEVICE, DEV, NULL, "station/x/device/other/state", ACL_WRITE), "another device's topic",
	       "station id unknown: still only its own id");
}

static void anonymous_devices(void)
{
	is_str(verdict(ANON, NULL, SID, "station/" SID "/device/legacy-1/state", ACL_WRITE), "allowed",
	       "anonymous publishes a device's state");
	is_str(verdict(ANON, NULL, SID, "station/" SID "/device/legacy-1/heartbeat", ACL_WRITE), "allowed",
	       "anonymous publishes a heartbeat");
	is_str(verdict(ANON, NULL, SID, "station/" SID "/device/legacy-1/command", ACL_SUBSCRIBE), "allowed",
	       "anonymous subscribes one device's commands");
	is_str(verdict(ANON, NULL, SID, "station/" SID "/device/legacy-1/handshake/ack", ACL_READ), "allowed",
	       "anonymous receives one device's ack");
	is_str(verdict(ANON, NULL, SID, "station/" SID "/device/legacy-1/command", ACL_WRITE),
	       "devices publish only handshake, state, event and heartbeat", "anonymous may not publish commands");
	is_str(verdict(ANON, NULL, SID, "station/" SID "/device/+/command", ACL_SUBSCRIBE),
	       "wildcards are refused in device subscriptions", "anonymous may not subscribe every device");
	is_str(verdict(ANON, NULL, SID, "station/" SID "/device/#", ACL_SUBSCRIBE),
	       "wildcards are refused in device subscriptions", "anonymous may not subscribe #");
	is_str(verdict(ANON, NULL, SID, "station/" OTHER_SID "/device/legacy-1/state", ACL_WRITE), "another station",
	       "anonymous: another station");
	is_str(verdict(ANON, NULL, SID, "station/" SID "/device/a/b/state", ACL_WRITE),
	       "devices publish only handshake, state, event and heartbeat", "anonymous: one level for the id");
	is_str(verdict(ANON, "ignored", SID, "station/" SID "/device/legacy-2/state", ACL_WRITE), "allowed",
	       "anonymous: a username is not looked at");
	is_str(verdict(ANON, NULL, SID, "other", ACL_SUBSCRIBE), "not a device topic", "anonymous: outside station/");
}

static void daemons(void)
{
	is_str(verdict(DAEMON, "station-mqttd", SID, "station/" SID "/device/+/state", ACL_SUBSCRIBE), "allowed",
	       "daemon subscribes every device's state");
	is_str(verdict(DAEMON, "station-mqttd", SID, "station/#", ACL_SUBSCRIBE), "allowed", "daemon subscribes station/#");
	is_str(verdict(DAEMON, "station-mqttd", SID, "station/" SID "/device/x/command", ACL_WRITE), "allowed",
	       "daemon publishes a command");
	is_str(verdict(DAEMON, "station-mqttd", SID, "station/" SID "/device/x/handshake/ack", ACL_WRITE), "allowed",
	       "daemon publishes an ack");
	is_str(verdict(DAEMON, "station-mqttd", SID, "station/" SID "/device/x/state", ACL_READ), "allowed",
	       "daemon receives a state");
	is_str(verdict(DAEMON, "station-mqttd", SID, "station/" OTHER_SID "/anything/at/all", ACL_WRITE), "allowed",
	       "daemon: anything under station/");
	is_str(verdict(DAEMON, "station-mqttd", SID, "station", ACL_WRITE), "allowed", "daemon: station itself");
	is_str(verdict(DAEMON, "station-mqttd", SID, "$SYS/broker/clients/connected", ACL_READ), "allowed",
	       "daemon reads $SYS");
	is_str(verdict(DAEMON, "station-mqttd", SID, "$SYS/#", ACL_SUBSCRIBE), "allowed", "daemon subscribes $SYS/#");

	is_str(verdict(DAEMON, "station-mqttd", SID, "$SYS/broker/x", ACL_WRITE),
	       "daemons are limited to station/# and reading $SYS", "daemon may not write $SYS");
	is_str(verdict(DAEMON, "station-mqttd", SID, "#", ACL_SUBSCRIBE), "daemons are limited to station/# and reading $SYS",
	       "daemon may not subscribe #");
	is_str(verdict(DAEMON, "station-mqttd", SID, "+/device/x/state", ACL_SUBSCRIBE),
	       "daemons are limited to station/# and reading $SYS", "daemon: + for station");
	is_str(verdict(DAEMON, "station-mqttd", SID, "stations/x", ACL_WRITE),
	       "daemons are limited to station/# and reading $SYS", "daemon: stations is not station");
	is_str(verdict(DAEMON, "station-mqttd", SID, "other/topic", ACL_READ),
	       "daemons are limited to station/# and reading $SYS", "daemon: outside station/");
	is_str(verdict(DAEMON, "station-mqttd", SID, "$SYSTEM/x", ACL_READ),
	       "daemons are limited to station/# and reading $SYS", "daemon: $SYSTEM is not $SYS");
}

int main(void)
{
	device_publishes();
	device_receives();
	station_id_unknown();
	anonymous_devices();
	daemons();
	ok(acl_allows(DEVICE, DEV, SID, BASE "state", ACL_WRITE), "acl_allows agrees with acl_check (allowed)");
	ok(!acl_allows(DEVICE, DEV, SID, BASE "command", ACL_WRITE), "acl_allows agrees with acl_check (refused)");
	return done();
}
