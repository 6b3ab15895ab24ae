/*
 * config.c — configuration keys, defaults, file parsing and environment overrides.
 *
 * The table below is the whole reference: every key with its default, its kind (text,
 * text that may not be empty, number, boolean) and, for numbers, the range accepted; docs/configuration.md mirrors it, and
 * cfg_print_reference() prints it. Values live in the same static table: the
 * configuration is read and checked once at start and never changes in a running
 * process.
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

enum cfg_kind { CFG_TEXT, CFG_NAME, CFG_INT, CFG_BOOL }; /* CFG_NAME: text that may not be empty */

struct cfg_key {
	const char *key;
	const char *fallback;
	const char *doc;
	enum cfg_kind kind;
	long min, max;    /* CFG_INT: the accepted range */
	char *value;      /* from the file or the environment, or NULL */
	long number;      /* CFG_INT, CFG_BOOL: the value, once cfg_load() checked it */
};

#define TEXT(key, fallback, doc) { key, fallback, doc, CFG_TEXT, 0, 0, NULL, 0 }
#define NAME(key, fallback, doc) { key, fallback, doc, CFG_NAME, 0, 0, NULL, 0 }
#define INT(key, fallback, min, max, doc) { key, fallback, doc, CFG_INT, min, max, NULL, 0 }
#define BOOL(key, fallback, doc) { key, fallback, doc, CFG_BOOL, 0, 0, NULL, 0 }

static struct cfg_key cfg_keys[] = {
	TEXT("log.level", "info", "debug, info, warn or error"),
	TEXT("db.conninfo", "dbname=station", "libpq connection string of the station database"),
	INT("db.connect_timeout", "2", 1, 3600, "seconds one connection attempt may take"),
	INT("db.retry_max_ms", "30000", 100, 3600000, "longest pause between reconnection attempts of a daemon"),
	INT("http.body_limit", "1048576", 1024, 1L << 30, "largest accepted request body in bytes (413 beyond)"),
	INT("http.json_max_depth", "32", 2, 1000, "deepest accepted JSON nesting in request bodies"),
	TEXT("http.allowed_origins", "", "extra origins (comma separated) allowed for cookie-authenticated writes"),
	INT("http.workers", "2", 1, CFG_HTTP_WORKERS_MAX, "most request processes per REST module, started on demand"),
	INT("http.min_workers", "0", 0, CFG_HTTP_WORKERS_MAX, "request processes kept warm per REST module (STATION_HTTP_MIN_WORKERS per module)"),
	INT("http.idle_exit_s", "60", 1, 86400, "seconds without a request after which an on-demand request process exits"),
	TEXT("http.server_names", "", "host names of the station besides localhost, IP literals and <hostname>.local (comma separated; nginx answers 421 to any other Host)"),
	INT("db.idle_disconnect_s", "30", 0, 86400, "seconds without a request after which a request process closes its database connection (0: never)"),
	INT("db.statement_timeout_ms", "10000", 0, 3600000, "longest a statement of a worker or mqttd may run, in ms (0: no bound; 503 beyond)"),
	INT("db.lock_timeout_ms", "3000", 0, 3600000, "longest a statement of a worker or mqttd may wait for a lock, in ms (0: no bound; 503 beyond)"),
	NAME("auth.jwt_secret_file", LOCALSTATEDIR "/lib/smart-station/jwt_secret", "file holding the JWT signing secret (mode 0600, >= 32 bytes)"),
	NAME("auth.agent_token_file", LOCALSTATEDIR "/lib/smart-station/agent_token", "file holding the station-agent token (mode 0600)"),
	INT("auth.access_ttl", "900", 60, 86400, "access token lifetime in seconds"),
	INT("auth.refresh_ttl", "1209600", 300, 366L * 86400, "refresh token lifetime in seconds (14 days)"),
	INT("auth.bcrypt_cost", "12", 4, 31, "bcrypt cost of new password hashes"),
	BOOL("auth.cookie_secure", "false", "mark auth cookies Secure (only when served over HTTPS)"),
	INT("auth.lockout_failures", "5", 1, 1000, "failed sign-ins from one source before that account is locked for that source"),
	INT("auth.session_max_days", "30", 1, 3650, "absolute lifetime of a session in days: refreshing does not extend it"),
	INT("auth.source_lockout_failures", "20", 1, 100000, "failed sign-ins from one source, whatever the account, before the source is locked"),
	NAME("migrate.dir", PKGDATADIR "/migrations", "directory of NNN_name.sql migrations"),
	NAME("mqtt.host", "127.0.0.1", "broker address the daemons connect to"),
	INT("mqtt.port", "1883", 1, 65535, "broker port the daemons connect to"),
	TEXT("mqtt.public_host", "", "broker host given to devices (empty: the host the request came to)"),
	INT("mqtt.public_port", "1883", 1, 65535, "broker port given to devices"),
	BOOL("mqtt.allow_anonymous_devices", "false", "let devices without credentials connect (legacy firmware)"),
	NAME("mqtt.daemon_username", "station-mqttd", "MQTT username of the station's own daemons"),
	NAME("mqtt.daemon_password_file", LOCALSTATEDIR "/lib/smart-station/mqtt_password", "file holding the daemons' MQTT password (mode 0600)"),
	INT("mqtt.max_payload", "65536", 128, 16L * 1024 * 1024, "largest MQTT payload mqttd accepts from a device, in bytes"),
	INT("mqtt.json_max_depth", "16", 2, 1000, "deepest JSON nesting mqttd accepts in a device payload"),
	INT("mqtt.heartbeat_timeout", "180", 10, 7L * 86400, "seconds without heartbeat after which a device is offline"),
	INT("mqtt.batch_max", "500", 1, 10000, "most telemetry messages written in one transaction"),
	INT("mqtt.batch_interval_ms", "25", 0, 60000, "at most one telemetry batch per this many ms: the longest a message waits under load"),
	INT("mqtt.device_rate", "50", 1, 1000000, "messages a second each device may publish; the broker drops the excess"),
	INT("mqtt.device_burst", "500", 1, 1000000, "messages a device may publish at once before its rate applies"),
	INT("events.retention_days", "30", 1, 36500, "days device events are kept (device-events-cleanup)"),
	INT("events.page_limit", "500", 1, 100000, "largest page of a paged history"),
	NAME("ws.listen", "127.0.0.1", "address wsd listens on (nginx proxies /ws to it)"),
	INT("ws.port", "8081", 1, 65535, "port wsd listens on"),
	INT("ws.queue_limit", "256", 1, 1000000, "messages queued for one WebSocket client before it is dropped"),
	INT("ws.ping_interval", "30", 1, 3600, "seconds between server pings to WebSocket clients"),
	INT("ws.max_clients", "2000", 1, 1000000, "most WebSocket clients connected at once"),
	INT("devices.command_ttl", "30", 1, 86400, "seconds a queued device command stays deliverable"),
	INT("devices.list_limit", "1000", 1, 100000, "most devices one list returns"),
	NAME("settings.secret_key_file", LOCALSTATEDIR "/lib/smart-station/settings_key", "file holding the key that encrypts the stored Wi-Fi password (mode 0600, >= 32 bytes)"),
	NAME("firmware.dir", LOCALSTATEDIR "/lib/smart-station/firmware", "directory of the firmware images (nginx's internal /firmware-files/ location serves it)"),
	INT("firmware.max_bytes", "4194304", 1024, 64L * 1024 * 1024, "largest firmware image accepted, in bytes (413 beyond; nginx's client_max_body_size bounds it too)"),
	INT("ota.max_parallel", "3", 1, 1000, "most devices an OTA update is sent to at once (the others wait as pending)"),
	TEXT("ota.base_url", "", "start of the download URL given to devices, like http://192.168.1.10 (empty: the scheme and host of the request that started the update)"),
	INT("automations.run_retention_days", "30", 1, 36500, "days automation runs (and their steps) are kept (station-cron automation-runs-cleanup)"),
	INT("automations.max_active_runs", "1000", 1, 100000, "runs station-automationd keeps going at once (waiting delays, webhooks in flight); beyond, new triggers are logged and dropped"),
	INT("automations.standby_retry_ms", "2000", 100, 3600000, "how often a standby station-automationd tries to take the runner lock, in ms"),
	INT("automations.webhook_max_response_bytes", "1048576", 1024, 64L * 1024 * 1024, "largest webhook response body read, in bytes (the step fails beyond)"),
	INT("automations.webhook_output_bytes", "1024", 0, 65536, "bytes of a webhook response body kept in the step's output"),
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

int cfg_parse_stream(FILE *f, const char *name)
{
	char line[1024];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			log_error("config %s:%d: expected key = value", name, lineno);
			rc = -1;
			continue;
		}
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		struct cfg_key *k = cfg_find(key);
		if (!k) {
			log_error("config %s:%d: unknown key %s", name, lineno, key);
			rc = -1;
			continue;
		}
		free(k->value);
		k->value = strdup(value);
	}
	return rc;
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
	int rc = cfg_parse_stream(f, path);
	fclose(f);
	return rc;
}

/* Every number and boolean parsed once, now: a bad value stops any program at start, not
 * the first request that happens to read it. Values are not secrets (secrets live in files). */
static int cfg_check_values(void)
{
	int rc = 0;
	for (size_t i = 0; i < CFG_KEY_COUNT; i++) {
		struct cfg_key *k = &cfg_keys[i];
		const char *s = k->value ? k->value : k->fallback;
		if (k->kind == CFG_INT) {
			char *end;
			errno = 0;
			k->number = strtol(s, &end, 10);
			if (errno || end == s || *end != '\0' || k->number < k->min || k->number > k->max) {
				log_error("config %s: must be an integer between %ld and %ld (not \"%s\")", k->key, k->min,
					  k->max, s);
				rc = -1;
			}
		} else if (k->kind == CFG_NAME && *s == '\0') {
			log_error("config %s: must not be empty", k->key);
			rc = -1;
		} else if (k->kind == CFG_BOOL) {
			if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "1") == 0) {
				k->number = 1;
			} else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "0") == 0 || *s == '\0') {
				k->number = 0;
			} else {
				log_error("config %s: must be true or false (not \"%s\")", k->key, s);
				rc = -1;
			}
		}
	}
	return rc;
}

static bool cfg_loaded;

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
	if (cfg_check_values() != 0)
		rc = -1;
	cfg_loaded = rc == 0;
	return rc;
}

const char *cfg_string(const char *key)
{
	struct cfg_key *k = cfg_find_or_abort(key);
	return k->value ? k->value : k->fallback;
}

/* A checked value of the given kind; asking before cfg_load() succeeded, or for a key of
 * another kind, is a programming error. */
static long cfg_number(const char *key, enum cfg_kind kind)
{
	struct cfg_key *k = cfg_find_or_abort(key);
	if (!cfg_loaded || k->kind != kind) {
		log_error("config key %s read %s", key, cfg_loaded ? "as the wrong kind" : "before cfg_load()");
		abort();
	}
	return k->number;
}

long cfg_int(const char *key)
{
	return cfg_number(key, CFG_INT);
}

bool cfg_bool(const char *key)
{
	return cfg_number(key, CFG_BOOL) != 0;
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
	if (fstat(fileno(f), &st) != 0 || (st.st_mode & 0077)) {
		log_error("secret %s (%s): readable by group or others; fix it with: chmod 600 %s", path, path_key,
			  path);
		fclose(f);
		return NULL;
	}
	char *slot = secrets[used % 4];
	if (!fgets(slot, sizeof secrets[0], f))
		slot[0] = '\0';
	fclose(f);
	char *s = trim(slot);
	if (strlen(s) < min_length) {
		log_error("secret %s (%s): must be at least %zu characters long", path, path_key, min_length);
		return NULL;
	}
	used++;
	return s;
}

void cfg_print_reference(void)
{
	for (size_t i = 0; i < CFG_KEY_COUNT; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		if (k->kind == CFG_INT)
			printf("# %s (%ld to %ld)\n", k->doc, k->min, k->max);
		else if (k->kind == CFG_BOOL)
			printf("# %s (true or false)\n", k->doc);
		else if (k->kind == CFG_NAME)
			printf("# %s (not empty)\n", k->doc);
		else
			printf("# %s\n", k->doc);
		printf("%s = %s\n\n", k->key, k->fallback);
	}
}
