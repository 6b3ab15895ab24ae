/*
 * station_auth.c — Smart Station's Mosquitto plugin (plugin API v5): who may connect to
 * the broker and which topics each client may use (SPEC §5; docs/mqtt.md).
 *
 * A device logs in with username = its external id and password = its device token,
 * checked against the station database (credentials.c: only SHA-256 of tokens is stored,
 * which is why Mosquitto's dynamic-security plugin cannot do this job). The station's
 * daemons log in with their own username and the password in their secret file
 * (secret_file.c). Topic access follows acl.c. Deleting a device or rotating its token
 * drops its live sessions at the next broker tick.
 *
 * Options (plugin_opt_<key> in mosquitto.conf):
 *   conninfo                 libpq connection string      (default: dbname=station)
 *   daemon_username          the daemons' MQTT username   (default: station-mqttd)
 *   daemon_password_file     their secret, first line     (default: <localstatedir>/lib/smart-station/mqtt_password)
 *   allow_anonymous_devices  true|false: legacy firmware without credentials (default: false)
 *
 * This file only translates between the broker and those parts. It must never log a
 * password, token or hash, never let a device in when the database could not be asked,
 * and never drop a session from inside an authentication callback (only from the tick).
 */
#include <mosquitto.h>
#include <mosquitto_broker.h>
/* The three entry points must stay visible although the plugin builds with -fvisibility=hidden. */
#pragma GCC visibility push(default)
#include <mosquitto_plugin.h>
#pragma GCC visibility pop

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "credentials.h"
#include "secret_file.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

#define LOG_PREFIX "smart-station auth: "

struct station_auth {
	mosquitto_plugin_id_t *id;
	const char *conninfo;
	const char *daemon_username;
	const char *daemon_password_file;
	bool allow_anonymous_devices;
	struct credentials *credentials;
	int registered; /* how many of the callbacks below are registered */
};

/* ---- options ------------------------------------------------------------------------ */

static int parse_bool(const char *key, const char *value, bool *out)
{
	if (strcmp(value, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(value, "false") == 0) {
		*out = false;
		return 0;
	}
	mosquitto_log_printf(MOSQ_LOG_ERR, LOG_PREFIX "plugin_opt_%s: must be true or false, not \"%s\"", key, value);
	return -1;
}

/* Option values point into Mosquitto's own copy of the configuration, which outlives the plugin. */
static int read_options(struct station_auth *p, const struct mosquitto_opt *options, int count)
{
	p->conninfo = "dbname=station";
	p->daemon_username = "station-mqttd";
	p->daemon_password_file = LOCALSTATEDIR "/lib/smart-station/mqtt_password";
	p->allow_anonymous_devices = false;

	for (int i = 0; i < count; i++) {
		const char *key = options[i].key, *value = options[i].value ? options[i].value : "";
		if (strcmp(key, "conninfo") == 0) {
			p->conninfo = value;
		} else if (strcmp(key, "daemon_username") == 0) {
			p->daemon_username = value;
		} else if (strcmp(key, "daemon_password_file") == 0) {
			p->daemon_password_file = value;
		} else if (strcmp(key, "allow_anonymous_devices") == 0) {
			if (parse_bool(key, value, &p->allow_anonymous_devices) != 0)
				return -1;
		} else {
			mosquitto_log_printf(MOSQ_LOG_ERR,
					     LOG_PREFIX "unknown option plugin_opt_%s (known: conninfo, daemon_username, "
							"daemon_password_file, allow_anonymous_devices)",
					     key);
			return -1;
		}
	}
	if (!*p->conninfo || !*p->daemon_username || !*p->daemon_password_file) {
		mosquitto_log_printf(MOSQ_LOG_ERR, LOG_PREFIX "plugin_opt_conninfo, plugin_opt_daemon_username and "
							      "plugin_opt_daemon_password_file must not be empty");
		return -1;
	}
	return 0;
}

/* ---- events ------------------------------------------------------------------------- */

static int on_basic_auth(int event, void *event_data, void *userdata)
{
	struct station_auth *p = userdata;
	struct mosquitto_evt_basic_auth *ev = event_data;
	(void)event;

	if (!ev->username)
		return p->allow_anonymous_devices ? MOSQ_ERR_SUCCESS : MOSQ_ERR_AUTH;

	if (strcmp(ev->username, p->daemon_username) == 0)
		return secret_file_check(p->daemon_password_file, ev->password) == SECRET_MATCH ? MOSQ_ERR_SUCCESS
												 : MOSQ_ERR_AUTH;

	switch (credentials_check_device(p->credentials, ev->username, ev->password)) {
	case CREDENTIALS_VALID:
		return MOSQ_ERR_SUCCESS;
	case CREDENTIALS_INVALID:
		return MOSQ_ERR_AUTH; /* CONNACK "not authorised" */
	case CREDENTIALS_UNAVAILABLE:
		break;
	}
	/*
	 * The database could not say: no verdict is given. Mosquitto closes the connection
	 * without a CONNACK for any error other than MOSQ_ERR_AUTH, which a device takes for a
	 * network failure and retries, instead of a refusal it could count against itself.
	 */
	return MOSQ_ERR_UNKNOWN;
}

static const char *access_name(int access)
{
	switch (access) {
	case MOSQ_ACL_READ:
		return "read";
	case MOSQ_ACL_WRITE:
		return "publish";
	case MOSQ_ACL_SUBSCRIBE:
		return "subscribe";
	case MOSQ_ACL_UNSUBSCRIBE:
		return "unsubscribe";
	}
	return "access";
}

static int on_acl_check(int event, void *event_data, void *userdata)
{
	struct station_auth *p = userdata;
	struct mosquitto_evt_acl_check *ev = event_data;
	const char *username = mosquitto_client_username(ev->client);
	enum acl_client client;
	(void)event;

	if (!username) {
		if (!p->allow_anonymous_devices)
			return MOSQ_ERR_ACL_DENIED;
		client = ACL_CLIENT_ANONYMOUS;
	} else if (strcmp(username, p->daemon_username) == 0) {
		client = ACL_CLIENT_DAEMON;
	} else {
		client = ACL_CLIENT_DEVICE;
	}

	const char *reason = acl_check(client, username, credentials_station_id(p->credentials), ev->topic,
				       (enum acl_access)ev->access);
	if (!reason)
		return MOSQ_ERR_SUCCESS;
	const char *client_id = mosquitto_client_id(ev->client);
	mosquitto_log_printf(MOSQ_LOG_DEBUG, LOG_PREFIX "denied %s of %s to client %s: %s", access_name(ev->access),
			     ev->topic ? ev->topic : "", client_id ? client_id : "?", reason);
	return MOSQ_ERR_ACL_DENIED;
}

static void drop_sessions(const char *external_id, const char *reason, void *ctx)
{
	struct station_auth *p = ctx;
	if (strcmp(external_id, p->daemon_username) == 0)
		return; /* a device cannot have logged in under the daemons' name */
	mosquitto_log_printf(MOSQ_LOG_NOTICE, LOG_PREFIX "device %s: %s; dropping its MQTT sessions", external_id,
			     reason);
	mosquitto_kick_client_by_username(external_id, false);
}

static int on_tick(int event, void *event_data, void *userdata)
{
	struct station_auth *p = userdata;
	(void)event;
	(void)event_data;
	credentials_tick(p->credentials, drop_sessions, p);
	return MOSQ_ERR_SUCCESS;
}

/* ---- plugin entry points ------------------------------------------------------------ */

static const struct {
	int event;
	MOSQ_FUNC_generic_callback callback;
} callbacks[] = {
	{ MOSQ_EVT_BASIC_AUTH, on_basic_auth },
	{ MOSQ_EVT_ACL_CHECK, on_acl_check },
	{ MOSQ_EVT_TICK, on_tick },
};
#define CALLBACK_COUNT ((int)(sizeof callbacks / sizeof callbacks[0]))

static void release(struct station_auth *p)
{
	while (p->registered > 0) {
		p->registered--;
		mosquitto_callback_unregister(p->id, callbacks[p->registered].event, callbacks[p->registered].callback,
					      NULL);
	}
	credentials_free(p->credentials);
	free(p);
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++)
		if (supported_versions[i] == 5)
			return 5;
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *options,
			  int option_count)
{
	struct station_auth *p = calloc(1, sizeof *p);
	if (!p)
		return MOSQ_ERR_NOMEM;
	p->id = identifier;
	if (read_options(p, options, option_count) != 0) {
		free(p);
		return MOSQ_ERR_INVAL;
	}
	if (!(p->credentials = credentials_new(p->conninfo))) {
		free(p);
		return MOSQ_ERR_NOMEM;
	}
	for (; p->registered < CALLBACK_COUNT; p->registered++) {
		int rc = mosquitto_callback_register(identifier, callbacks[p->registered].event,
						     callbacks[p->registered].callback, NULL, p);
		if (rc != MOSQ_ERR_SUCCESS) {
			mosquitto_log_printf(MOSQ_LOG_ERR, LOG_PREFIX "cannot register a callback: %s",
					     mosquitto_strerror(rc));
			release(p);
			return rc;
		}
	}
	mosquitto_log_printf(MOSQ_LOG_INFO,
			     LOG_PREFIX "devices log in with their external id and token (checked in the station "
					"database); daemons as %s",
			     p->daemon_username);
	if (p->allow_anonymous_devices)
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     LOG_PREFIX "allow_anonymous_devices is true (mqtt.allow_anonymous_devices): devices "
						"without credentials may connect, and any of them may publish as any "
						"device; turn it off once no legacy firmware is left");
	*userdata = p;
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)options;
	(void)option_count;
	if (userdata)
		release(userdata);
	return MOSQ_ERR_SUCCESS;
}
