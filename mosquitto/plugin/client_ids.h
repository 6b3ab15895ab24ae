/*
 * client_ids.h — which identity holds each MQTT client id, so that no client can take
 * over another identity's session (docs/mqtt.md, "Client ids").
 *
 * Mosquitto 2.0 lets any authenticated client take over the session of any client id
 * (the older connection is closed, a persistent session's subscriptions and queue pass to
 * the newcomer) without comparing usernames. A device with valid credentials could so
 * knock mqttd off the broker with client id "station-mqttd", or another device with that
 * device's client id. The plugin therefore decides, at each login, whether the client id
 * may be used by that username:
 *
 *   1. a client id equal to the login's own username is always its own;
 *   2. a client id equal to the daemons' username is the daemons' alone;
 *   3. a client id held by another username — a connected client, or a persistent
 *      session (clean session off) that outlives its connection — is refused;
 *   4. any other client id is free, and from then on held by the login's username.
 *
 * A clean session's hold ends with its connection; a persistent session's hold lasts as
 * long as the broker runs. Anonymous logins (legacy firmware) are one identity, "".
 * Pure bookkeeping: no I/O, no broker calls; `holder` is an opaque pointer (the broker's
 * client) compared, never dereferenced.
 */
#ifndef STATION_MQTT_CLIENT_IDS_H
#define STATION_MQTT_CLIENT_IDS_H

#include <stdbool.h>

#include "strmap.h"

struct client_ids {
	struct strmap held; /* client id → struct client_hold */
	const char *daemon_username;
};

void client_ids_init(struct client_ids *c, const char *daemon_username);
void client_ids_free(struct client_ids *c);

/*
 * May `username` (NULL: anonymous) log in with `client_id`? NULL: yes, and the id is now
 * held by username through `holder` (persistent: clean session off). Otherwise the
 * reason it may not, naming whose it is ("the daemons' client id", "held by another
 * identity"); *owner then points to the holding username ("" for anonymous), valid until
 * the next call. Out of memory is a refusal too ("out of memory").
 */
const char *client_ids_claim(struct client_ids *c, const char *client_id, const char *username, const void *holder,
			     bool persistent, const char **owner);

/*
 * The connection `holder` of client_id ended. A clean session's hold ends; a persistent
 * session's hold stays with its username. A holder that was already replaced (the same
 * identity took its session over) changes nothing.
 */
void client_ids_release(struct client_ids *c, const char *client_id, const void *holder);

#endif
