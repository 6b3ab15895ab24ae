/*
 * credentials.c — device logins checked against the station database, and the
 * device_credentials notices that drop sessions at once (see credentials.h).
 *
 * The station keeps only SHA-256 (hex) of each device token (SPEC §3), so a login is one
 * prepared statement: SELECT 1 FROM devices WHERE external_id = $1 AND token_hash = $2.
 * The same connection LISTENs on device_credentials, where the devices REST worker
 * announces deletions and token rotations; the broker tick reads those notices without
 * blocking and marks the device's sessions for dropping. A notice sent while this
 * connection was down is lost, so after every reconnection the sessions let in are
 * compared with the devices table (sessions.c).
 *
 * Never logs a password, a token or a hash. Never lets a device in when the database
 * could not be asked. Never blocks for long: connection attempts are bounded by
 * connect_timeout (2 s unless the conninfo says otherwise) and spaced by a backoff;
 * statements by statement_timeout.
 */
#include "credentials.h"

#include <ctype.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "external_id.h"
#include "sessions.h"

#define LOG_PREFIX "smart-station auth: "

#define CHANNEL "device_credentials"
#define STMT_CHECK "station_auth_device_token"
#define SQL_CHECK "SELECT 1 FROM devices WHERE external_id = $1 AND token_hash = $2"
#define SQL_STATION "SELECT id::text FROM station LIMIT 1"
#define SQL_TOKENS "SELECT external_id, token_hash FROM devices ORDER BY external_id COLLATE \"C\""

#define POLL_INTERVAL_MS 50   /* notices are read at most this often (revocation delay) */
#define RETRY_FIRST_MS 250    /* first pause after a failed connection attempt */
#define RETRY_MAX_MS 2000     /* longest pause: devices are let in again soon after an outage */
#define SLOW_ATTEMPT_MS 1000  /* an attempt that took this long blocked the broker (a TCP */
#define SLOW_RETRY_MS 10000   /* timeout, not a refused socket): wait this long after it */
#define STATION_ID_MAX 63

struct credentials {
	char *conninfo;
	PGconn *conn;
	long long next_attempt_ms;
	long retry_ms;
	long long last_poll_ms;
	bool ever_connected;    /* a later connection is a reconnection: reconcile */
	bool outage_logged;     /* "unreachable" was logged for this outage */
	bool lost;              /* the last connection broke; say when a new one is up */
	bool reconcile_pending; /* compare the sessions let in with the devices table */
	char station_id[STATION_ID_MAX + 1];
	struct sessions sessions;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libpq's messages span lines (newlines, tabs); a log line must not: runs of white space become one space. */
static const char *one_line(const char *message, char *buf, size_t cap)
{
	size_t n = 0;
	bool space = false;
	if (!message || !*message)
		message = "unknown error";
	for (const char *p = message; *p && n + 2 < cap; p++) {
		if (isspace((unsigned char)*p)) {
			space = n > 0;
			continue;
		}
		if (space)
			buf[n++] = ' ';
		space = false;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return buf;
}

static void sha256_hex(const char *s, char out[SESSIONS_HASH_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) != 1 || n * 2 != SESSIONS_HASH_LEN) {
		out[0] = '\0';
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0x0f];
	}
	out[SESSIONS_HASH_LEN] = '\0';
	OPENSSL_cleanse(md, sizeof md);
}

struct credentials *credentials_new(const char *conninfo)
{
	struct credentials *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (!(c->conninfo = strdup(conninfo))) {
		free(c);
		return NULL;
	}
	c->retry_ms = RETRY_FIRST_MS;
	sessions_init(&c->sessions);
	return c;
}

void credentials_free(struct credentials *c)
{
	if (!c)
		return;
	PQfinish(c->conn);
	sessions_free(&c->sessions);
	free(c->conninfo);
	free(c);
}

const char *credentials_station_id(const struct credentials *c)
{
	return c->station_id;
}

/*
 * A connection attempt begun at started failed: say so once per outage, wait longer before
 * the next one — much longer when the attempt itself held the broker up.
 */
static void attempt_failed(struct credentials *c, long long started, const char *why)
{
	char line[512];
	long long now = now_ms();
	if (!c->outage_logged) {
		mosquitto_log_printf(MOSQ_LOG_WARNING,
				     LOG_PREFIX "station database unreachable (%s); device logins are refused until it is back",
				     one_line(why, line, sizeof line));
		c->outage_logged = true;
	}
	c->next_attempt_ms = now + (now - started >= SLOW_ATTEMPT_MS ? SLOW_RETRY_MS : c->retry_ms);
	c->retry_ms = c->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : c->retry_ms * 2;
}

/* The open connection broke: drop it and try again at once (then with the backoff). */
static void connection_lost(struct credentials *c, long long now, const char *why)
{
	char line[512];
	mosquitto_log_printf(MOSQ_LOG_WARNING, LOG_PREFIX "station database connection lost (%s)",
			     one_line(why, line, sizeof line));
	c->lost = true;
	PQfinish(c->conn);
	c->conn = NULL;
	c->next_attempt_ms = now;
}

static bool command_ok(PGconn *conn, const char *sql, char *why, size_t cap)
{
	PGresult *r = PQexec(conn, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(why, cap, "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

static void read_station_id(struct credentials *c)
{
	PGresult *r = PQexec(c->conn, SQL_STATION);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
	    (size_t)PQgetlength(r, 0, 0) <= STATION_ID_MAX) {
		const char *id = PQgetvalue(r, 0, 0);
		if (strcmp(id, c->station_id) != 0) {
			snprintf(c->station_id, sizeof c->station_id, "%s", id);
			mosquitto_log_printf(MOSQ_LOG_INFO, LOG_PREFIX "station id %s", c->station_id);
		}
	}
	PQclear(r);
}

/* Prepares what every later call needs: statement timeout, the login statement, LISTEN. */
static bool prepare_connection(PGconn *conn, char *why, size_t cap)
{
	if (!command_ok(conn, "SET statement_timeout = 2000", why, cap) ||
	    !command_ok(conn, "LISTEN " CHANNEL, why, cap))
		return false;
	PGresult *r = PQprepare(conn, STMT_CHECK, SQL_CHECK, 2, NULL);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		snprintf(why, cap, "prepare: %s", PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

static bool open_connection(struct credentials *c, long long now)
{
	/* Keywords before dbname are defaults: the conninfo (expanded from dbname) may override them. */
	static const char *const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *values[] = { "2", "smart-station-mosquitto", c->conninfo, NULL };
	char why[512];

	PGconn *conn = PQconnectdbParams(keys, values, 1);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		attempt_failed(c, now, conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return false;
	}
	if (!prepare_connection(conn, why, sizeof why)) {
		attempt_failed(c, now, why);
		PQfinish(conn);
		return false;
	}
	c->conn = conn;
	c->retry_ms = RETRY_FIRST_MS;
	c->last_poll_ms = now;
	if (c->outage_logged || c->lost)
		mosquitto_log_printf(MOSQ_LOG_NOTICE, LOG_PREFIX "station database connection restored");
	else if (!c->ever_connected)
		mosquitto_log_printf(MOSQ_LOG_INFO, LOG_PREFIX "connected to the station database, listening on " CHANNEL);
	c->outage_logged = c->lost = false;
	if (c->ever_connected)
		c->reconcile_pending = true; /* notices may have been missed meanwhile */
	c->ever_connected = true;
	read_station_id(c);
	return true;
}

static bool usable(struct credentials *c, long long now)
{
	if (c->conn)
		return true;
	return now >= c->next_attempt_ms && open_connection(c, now);
}

enum credentials_verdict credentials_check_device(struct credentials *c, const char *external_id,
						  const char *password)
{
	char hash[SESSIONS_HASH_LEN + 1], why[512];

	if (!external_id || !device_external_id_valid(external_id, strlen(external_id)))
		return CREDENTIALS_INVALID; /* no device can have this id: no need to ask */
	if (!password)
		return CREDENTIALS_INVALID;
	sha256_hex(password, hash);
	if (!hash[0])
		return CREDENTIALS_UNAVAILABLE;

	/* Twice at most: a connection found broken is reopened once, right away. */
	for (int attempt = 0; attempt < 2; attempt++) {
		long long now = now_ms();
		if (!usable(c, now))
			return CREDENTIALS_UNAVAILABLE;
		const char *params[] = { external_id, hash };
		PGresult *r = PQexecPrepared(c->conn, STMT_CHECK, 2, params, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			bool found = PQntuples(r) > 0;
			PQclear(r);
			if (!found)
				return CREDENTIALS_INVALID;
			if (sessions_remember(&c->sessions, external_id, hash) != 0)
				mosquitto_log_printf(MOSQ_LOG_WARNING, LOG_PREFIX "out of memory remembering a session");
			if (!c->station_id[0])
				read_station_id(c);
			return CREDENTIALS_VALID;
		}
		one_line(PQresultErrorMessage(r), why, sizeof why);
		PQclear(r);
		if (PQstatus(c->conn) != CONNECTION_OK) {
			connection_lost(c, now, why);
			continue;
		}
		mosquitto_log_printf(MOSQ_LOG_WARNING, LOG_PREFIX "device token check failed (%s); login refused", why);
		return CREDENTIALS_UNAVAILABLE;
	}
	return CREDENTIALS_UNAVAILABLE;
}

/*
 * {"externalId":"…","action":"deleted"|"rotated"}: drop that device's sessions. A notice
 * without externalId asks for every session to be checked again (after a restore, say).
 */
static void handle_notice(struct credentials *c, const char *payload)
{
	struct json_object *root = json_tokener_parse(payload), *v;
	const char *external_id = NULL, *action = "";

	if (!root || !json_object_is_type(root, json_type_object)) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, LOG_PREFIX "ignored a " CHANNEL " notice that is not a JSON object");
		json_object_put(root);
		return;
	}
	if (json_object_object_get_ex(root, "action", &v) && json_object_is_type(v, json_type_string))
		action = json_object_get_string(v);
	if (json_object_object_get_ex(root, "externalId", &v) && json_object_is_type(v, json_type_string))
		external_id = json_object_get_string(v);

	if (!external_id || !*external_id) {
		c->reconcile_pending = true;
	} else {
		const char *reason = strcmp(action, "deleted") == 0   ? "device deleted"
				     : strcmp(action, "rotated") == 0 ? "token rotated"
								      : "credentials changed";
		if (sessions_mark_drop(&c->sessions, external_id, reason) != 0)
			mosquitto_log_printf(MOSQ_LOG_WARNING, LOG_PREFIX "out of memory handling a " CHANNEL " notice");
	}
	json_object_put(root);
}

static void read_notices(struct credentials *c, long long now)
{
	if (!PQconsumeInput(c->conn)) {
		char why[512];
		connection_lost(c, now, one_line(PQerrorMessage(c->conn), why, sizeof why));
		return;
	}
	PGnotify *n;
	while ((n = PQnotifies(c->conn)) != NULL) {
		if (strcmp(n->relname, CHANNEL) == 0)
			handle_notice(c, n->extra);
		PQfreemem(n);
	}
}

/* The row of rows (sorted by external_id in byte order, as strcmp) holding external_id, or -1. */
static int find_row(const PGresult *rows, const char *external_id)
{
	int lo = 0, hi = PQntuples(rows) - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		int cmp = strcmp(PQgetvalue(rows, mid, 0), external_id);
		if (cmp == 0)
			return mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Marks the sessions whose device is gone or whose token is no longer the device's. */
static void reconcile(struct credentials *c, long long now)
{
	c->reconcile_pending = false;
	read_station_id(c);
	if (c->sessions.count == 0)
		return;
	PGresult *r = PQexec(c->conn, SQL_TOKENS);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		char why[512];
		one_line(PQresultErrorMessage(r), why, sizeof why);
		PQclear(r);
		if (PQstatus(c->conn) != CONNECTION_OK)
			connection_lost(c, now, why); /* reconciled after the next connection */
		else
			mosquitto_log_printf(MOSQ_LOG_WARNING, LOG_PREFIX "could not re-check device sessions (%s)", why);
		return;
	}
	for (size_t i = 0; i < c->sessions.count; i++) {
		struct session_entry *e = &c->sessions.entries[i];
		if (e->drop_reason || !e->token_hash[0])
			continue;
		int row = find_row(r, e->username);
		if (row < 0)
			e->drop_reason = "device deleted";
		else if (strcmp(PQgetvalue(r, row, 1), e->token_hash) != 0)
			e->drop_reason = "token rotated";
	}
	PQclear(r);
}

void credentials_tick(struct credentials *c, void (*drop)(const char *external_id, const char *reason, void *ctx),
		      void *ctx)
{
	long long now = now_ms();
	if (!c->conn) {
		if (now >= c->next_attempt_ms)
			open_connection(c, now);
	} else if (now - c->last_poll_ms >= POLL_INTERVAL_MS) {
		c->last_poll_ms = now;
		read_notices(c, now);
	}
	if (c->conn && c->reconcile_pending)
		reconcile(c, now);
	sessions_drop_marked(&c->sessions, drop, ctx);
}
