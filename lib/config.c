/*
 * config.c — configuration keys, defaults, file parsing and environment overrides.
 *
 * The table below is the whole reference: docs/configuration.md mirrors it, and
 * cfg_print_reference() prints it. Values live in a small static table: the
 * configuration is read once at start and never changes in a running process.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif
#ifndef PKGDATADIR
#define PKGDATADIR "/usr/share/smart-station"
#endif

struct cfg_key {
	const char *key;
	const char *fallback;
	const char *doc;
	char *value; /* from the file or the environment, or NULL */
};

static struct cfg_key cfg_keys[] = {
	{ "log.level", "info", "debug, info, warn or error", NULL },
	{ "db.conninfo", "dbname=station", "libpq connection string of the station database", NULL },
	{ "db.connect_timeout", "2", "seconds one connection attempt may take", NULL },
	{ "db.retry_max_ms", "30000", "longest pause between reconnection attempts of a daemon", NULL },
	{ "http.body_limit", "1048576", "largest accepted request body in bytes (413 beyond)", NULL },
	{ "http.json_max_depth", "32", "deepest accepted JSON nesting in request bodies", NULL },
	{ "http.allowed_origins", "", "extra origins (comma separated) allowed for cookie-authenticated writes", NULL },
	{ "http.workers", "2", "pre-forked processes per REST module", NULL },
	{ "auth.jwt_secret_file", LOCALSTATEDIR "/lib/smart-station/jwt_secret", "file holding the JWT signing secret (mode 0600, >= 32 bytes)", NULL },
	{ "auth.agent_token_file", LOCALSTATEDIR "/lib/smart-station/agent_token", "file holding the station-agent token (mode 0600)", NULL },
	{ "auth.access_ttl", "900", "access token lifetime in seconds", NULL },
	{ "auth.refresh_ttl", "1209600", "refresh token lifetime in seconds (14 days)", NULL },
	{ "auth.bcrypt_cost", "12", "bcrypt cost of new password hashes", NULL },
	{ "auth.cookie_secure", "false", "mark auth cookies Secure (only when served over HTTPS)", NULL },
	{ "auth.lockout_failures", "5", "failed logins before an account is locked", NULL },
	{ "migrate.dir", PKGDATADIR "/migrations", "directory of NNN_name.sql migrations", NULL },
	{ "mqtt.host", "127.0.0.1", "broker address the daemons connect to", NULL },
	{ "mqtt.port", "1883", "broker port the daemons connect to", NULL },
	{ "mqtt.public_host", "", "broker host given to devices (empty: the host the request came to)", NULL },
	{ "mqtt.public_port", "1883", "broker port given to devices", NULL },
	{ "mqtt.allow_anonymous_devices", "false", "let devices without credentials connect (legacy firmware)", NULL },
	{ "mqtt.daemon_username", "station-mqttd", "MQTT username of the station's own daemons", NULL },
	{ "mqtt.daemon_password_file", LOCALSTATEDIR "/lib/smart-station/mqtt_password", "file holding the daemons' MQTT password (mode 0600)", NULL },
	{ "mqtt.max_payload", "65536", "largest MQTT payload mqttd accepts from a device, in bytes", NULL },
	{ "mqtt.json_max_depth", "16", "deepest JSON nesting mqttd accepts in a device payload", NULL },
	{ "mqtt.heartbeat_timeout", "180", "seconds without heartbeat after which a device is offline", NULL },
	{ "mqtt.batch_max", "500", "most telemetry messages written in one transaction", NULL },
	{ "mqtt.batch_interval_ms", "25", "at most one telemetry batch per this many ms: the longest a message waits under load", NULL },
	{ "events.retention_days", "30", "days device events are kept (device-events-cleanup)", NULL },
	{ "events.page_limit", "500", "largest page of a paged history", NULL },
	{ "ws.listen", "127.0.0.1", "address wsd listens on (nginx proxies /ws to it)", NULL },
	{ "ws.port", "8081", "port wsd listens on", NULL },
	{ "ws.queue_limit", "256", "messages queued for one WebSocket client before it is dropped", NULL },
	{ "ws.ping_interval", "30", "seconds between server pings to WebSocket clients", NULL },
	{ "ws.max_clients", "2000", "most WebSocket clients connected at once", NULL },
	{ "devices.command_ttl", "30", "seconds a queued device command stays deliverable", NULL },
	{ "devices.list_limit", "1000", "most devices one list returns", NULL },
};

#define CFG_KEY_COUNT (sizeof cfg_keys / sizeof cfg_keys[0])

static struct cfg_key *cfg_find(const char *key)
{
	for (size_t i = 0; i < CFG_KEY_COUNT; i++)
		if (strcmp(cfg_keys[i].key, key) == 0)
			return &cfg_keys[i];
	return NULL;
}

static struct cfg_key *cfg_find_or_abort(const char *key)
{
	struct cfg_key *k = cfg_find(key);
	if (!k) {
		log_error("config key %s is not declared in config.c", key);
		abort();
	}
	return k;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static void env_name(const char *key, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "STATION_");
	for (const char *p = key; *p && n + 1 < cap; p++)
		out[n++] = (*p == '.' || *p == '-') ? '_' : (char)toupper((unsigned char)*p);
	out[n] = '\0';
}

static int cfg_parse_file(const char *path, int required)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (!required && errno == ENOENT)
			return 0;
		log_error("config %s: %s", path, strerror(errno));
		return -1;
	}
	char line[1024];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			log_error("config %s:%d: expected key = value", path, lineno);
			rc = -1;
			continue;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		struct cfg_key *k = cfg_find(key);
		if (!k) {
			log_error("config %s:%d: unknown key %s", path, lineno, key);
			rc = -1;
			continue;
		}
		free(k->value);
		k->value = strdup(value);
	}
	fclose(f);
	return rc;
}

int cfg_load(void)
{
	const char *path = getenv("STATION_CONFIG");
	int rc = cfg_parse_file(path ? path : SYSCONFDIR "/smart-station/station.conf", path != NULL);
	for (size_t i = 0; i < CFG_KEY_COUNT; i++) {
		char name[128];
		env_name(cfg_keys[i].key, name, sizeof name);
		const char *v = getenv(name);
		if (v) {
			free(cfg_keys[i].value);
			cfg_keys[i].value = strdup(v);
		}
	}
	enum log_level level;
	if (log_parse_level(cfg_string("log.level"), &level) != 0) {
		log_error("config log.level: must be one of debug, info, warn, error");
		return -1;
	}
	log_set_level(level);
	return rc;
}

const char *cfg_string(const char *key)
{
	struct cfg_key *k = cfg_find_or_abort(key);
	return k->value ? k->value : k->fallback;
}

long cfg_int(const char *key, long min, long max)
{
	const char *s = cfg_string(key);
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max) {
		log_error("config %s: must be an integer between %ld and %ld", key, min, max);
		exit(2);
	}
	return v;
}

bool cfg_bool(const char *key)
{
	const char *s = cfg_string(key);
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "1") == 0)
		return true;
	if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "0") == 0 || *s == '\0')
		return false;
	log_error("config %s: must be true or false", key);
	exit(2);
}

const char *cfg_read_secret(const char *path_key, size_t min_length)
{
	static char secrets[4][256];
	static int used;
	const char *path = cfg_string(path_key);
	FILE *f = fopen(path, "r");
	if (!f) {
		log_error("secret %s (%s): %s", path, path_key, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0077))
		log_warn("secret %s is readable by group or others; it should be mode 0600", path);
	char *slot = secrets[used % 4];
	if (!fgets(slot, sizeof secrets[0], f))
		slot[0] = '\0';
	fclose(f);
	char *s = trim(slot);
	if (strlen(s) < min_length) {
		log_error("secret %s (%s): shorter than %zu characters", path, path_key, min_length);
		return NULL;
	}
	used++;
	return s;
}

void cfg_print_reference(void)
{
	for (size_t i = 0; i < CFG_KEY_COUNT; i++)
		printf("# %s\n%s = %s\n\n", cfg_keys[i].doc, cfg_keys[i].key, cfg_keys[i].fallback);
}
