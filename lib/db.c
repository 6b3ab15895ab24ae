/*
 * db.c — libpq connection with reconnect, lazily prepared statements, JSON row writer.
 *
 * Sessions always run with TimeZone=UTC and DateStyle=ISO so that db_time_to_rfc3339()
 * reads one format. A dead connection (the server restarted) is noticed before a
 * statement is sent — an idle socket that turns readable has been closed by the server —
 * so the first request after a restart is served instead of failing. A worker's db_exec
 * reconnects by itself (blocking up to db.connect_timeout); a daemon's does not
 * (db_set_reconnect(db, false)): its db_link connects without blocking and hands the
 * connection over with db_adopt().
 */
#include "db.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

struct db {
	PGconn *conn;
	const char *application_name;
	long statement_timeout_ms; /* 0: none */
	long lock_timeout_ms;      /* 0: none */
	bool reconnects;           /* db_exec may connect by itself (workers); daemons: false */
	unsigned generation;
	bool in_transaction;
	char last_error[256];
};

static unsigned db_next_statement_id;
/* Generations are unique across connections, so a statement used on two of them is
 * prepared on each (a repeated prepare answers 42P05, which is harmless). */
static unsigned db_generation_counter;

struct db *db_new(const char *application_name)
{
	struct db *db = xcalloc(1, sizeof *db);
	db->application_name = application_name;
	db->reconnects = true;
	return db;
}

void db_set_statement_timeout(struct db *db, long ms)
{
	db->statement_timeout_ms = ms;
}

void db_set_lock_timeout(struct db *db, long ms)
{
	db->lock_timeout_ms = ms;
}

void db_use_configured_timeouts(struct db *db)
{
	db_set_statement_timeout(db, cfg_int("db.statement_timeout_ms"));
	db_set_lock_timeout(db, cfg_int("db.lock_timeout_ms"));
}

void db_set_reconnect(struct db *db, bool on)
{
	db->reconnects = on;
}

unsigned db_generation(const struct db *db) { return db->generation; }
PGconn *db_conn(struct db *db) { return db->conn; }
const char *db_last_error(const struct db *db) { return db->last_error; }

static void db_drop(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	db->in_transaction = false;
}

void db_disconnect(struct db *db)
{
	db_drop(db);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	db_drop(db);
	free(db);
}

static void db_notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * The connection parameters, written once for db_connect() and db_connect_start(): the
 * configured conninfo, connect_timeout, the program's application_name and the session
 * options (UTC, ISO dates, the statement and lock timeouts). options must outlive the call.
 */
#define DB_OPTIONS_MAX 128
static void db_params(const struct db *db, const char *keys[5], const char *values[5], char options[DB_OPTIONS_MAX])
{
	snprintf(options, DB_OPTIONS_MAX,
		 "-c TimeZone=UTC -c DateStyle=ISO,YMD -c statement_timeout=%ld -c lock_timeout=%ld",
		 db->statement_timeout_ms, db->lock_timeout_ms);
	keys[0] = "dbname", values[0] = cfg_string("db.conninfo");
	keys[1] = "connect_timeout", values[1] = cfg_string("db.connect_timeout");
	keys[2] = "application_name", values[2] = db->application_name;
	keys[3] = "options", values[3] = options;
	keys[4] = NULL, values[4] = NULL;
}

void db_note_error(struct db *db, const char *message)
{
	snprintf(db->last_error, sizeof db->last_error, "%s", message && *message ? message : "connection failed");
	db->last_error[strcspn(db->last_error, "\n")] = '\0';
}

void db_adopt(struct db *db, PGconn *conn)
{
	db_drop(db);
	db->conn = conn;
	PQsetNoticeProcessor(db->conn, db_notice_ignore, NULL);
	db->generation = ++db_generation_counter;
	db->last_error[0] = '\0';
}

PGconn *db_connect_start(struct db *db)
{
	const char *keys[5], *values[5];
	char options[DB_OPTIONS_MAX];
	db_params(db, keys, values, options);
	return PQconnectStartParams(keys, values, 1);
}

int db_connect(struct db *db)
{
	db_drop(db);
	const char *keys[5], *values[5];
	char options[DB_OPTIONS_MAX];
	db_params(db, keys, values, options);
	PGconn *conn = PQconnectdbParams(keys, values, 1);
	if (PQstatus(conn) != CONNECTION_OK) {
		db_note_error(db, PQerrorMessage(conn));
		PQfinish(conn);
		return -1;
	}
	db_adopt(db, conn);
	return 0;
}

/*
 * True when an idle connection is still usable. A server that shuts down first sends
 * a FATAL message and then closes: the first read consumes the message, a second one
 * sees the end of the stream. Notifications read here stay queued for PQnotifies().
 */
static bool db_idle_connection_alive(struct db *db)
{
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK)
		return false;
	for (int reads = 0; reads < 4; reads++) {
		struct pollfd pfd = { .fd = PQsocket(db->conn), .events = POLLIN };
		if (poll(&pfd, 1, 0) <= 0)
			return true;
		if (pfd.revents & (POLLHUP | POLLERR))
			return false;
		if (!PQconsumeInput(db->conn) || PQstatus(db->conn) != CONNECTION_OK)
			return false;
	}
	return true;
}

static bool db_ready(struct db *db)
{
	if (db->in_transaction)
		return db->conn && PQstatus(db->conn) == CONNECTION_OK;
	if (db_idle_connection_alive(db))
		return true;
	if (!db->reconnects) {
		if (db->conn)
			db_note_error(db, PQerrorMessage(db->conn));
		else if (!db->last_error[0])
			db_note_error(db, "not connected");
		db_drop(db);
		return false;
	}
	if (db->conn)
		log_warn("database connection lost; reconnecting");
	return db_connect(db) == 0;
}

static void pqclear_cleanup(void *res)
{
	PQclear(res);
}

/* Maps a finished result to a status; keeps the result alive with the arena on success. */
static enum db_status db_classify(struct db *db, struct arena *arena, PGresult *res, PGresult **out)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (out) {
			arena_on_reset(arena, pqclear_cleanup, res);
			*out = res;
		} else {
			PQclear(res);
		}
		return DB_OK;
	}
	char sqlstate[6] = "";
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *message = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (state)
		snprintf(sqlstate, sizeof sqlstate, "%s", state);
	snprintf(db->last_error, sizeof db->last_error, "%s %s", state ? sqlstate : "-----",
		 message ? message : PQerrorMessage(db->conn));
	db->last_error[strcspn(db->last_error, "\n")] = '\0';
	PQclear(res); /* state and message die here; only the copies above are used below */
	if (PQstatus(db->conn) != CONNECTION_OK || sqlstate[0] == '\0' || strncmp(sqlstate, "08", 2) == 0 ||
	    strncmp(sqlstate, "57P", 3) == 0) {
		db_drop(db);
		return DB_UNAVAILABLE;
	}
	if (strcmp(sqlstate, "57014") == 0 || strcmp(sqlstate, "55P03") == 0)
		return DB_TIMEOUT; /* statement_timeout / lock_timeout: the connection stays usable */
	if (strcmp(sqlstate, "23505") == 0 || strcmp(sqlstate, "23P01") == 0)
		return DB_CONFLICT;
	if (strncmp(sqlstate, "23", 2) == 0 || strncmp(sqlstate, "22", 2) == 0)
		return DB_INVALID;
	log_error("database error: %s", db->last_error);
	return DB_ERROR;
}

enum db_status db_exec(struct db *db, struct arena *arena, struct db_stmt *stmt,
		       const char *const *params, PGresult **out)
{
	if (!db_ready(db))
		return DB_UNAVAILABLE;
	if (stmt->id == 0)
		stmt->id = ++db_next_statement_id;
	char name[24];
	snprintf(name, sizeof name, "s%u", stmt->id);
	if (stmt->prepared_generation != db->generation) {
		PGresult *prep = PQprepare(db->conn, name, stmt->sql, stmt->nparams, NULL);
		const char *state = prep ? PQresultErrorField(prep, PG_DIAG_SQLSTATE) : NULL;
		enum db_status st = state && strcmp(state, "42P05") == 0 ? (PQclear(prep), DB_OK)
									  : db_classify(db, arena, prep, NULL);
		if (st != DB_OK) {
			if (st != DB_UNAVAILABLE)
				log_error("cannot prepare statement: %s", stmt->sql);
			return st;
		}
		stmt->prepared_generation = db->generation;
	}
	PGresult *res = PQexecPrepared(db->conn, name, stmt->nparams, params, NULL, NULL, 0);
	return db_classify(db, arena, res, out);
}

enum db_status db_exec_counted(struct db *db, struct arena *arena, struct db_stmt *stmt,
			       const char *const *params, int nparams, PGresult **out)
{
	if (nparams != stmt->nparams) { /* statement.h's macros make this a compile error */
		log_error("statement called with %d parameters, declared with %d", nparams, stmt->nparams);
		return DB_ERROR;
	}
	return db_exec(db, arena, stmt, params, out);
}

enum db_status db_exec_script(struct db *db, struct arena *arena, const char *sql, PGresult **out)
{
	if (!db_ready(db))
		return DB_UNAVAILABLE;
	return db_classify(db, arena, PQexec(db->conn, sql), out);
}

enum db_status db_begin(struct db *db, struct arena *arena)
{
	enum db_status st = db_exec_script(db, arena, "BEGIN", NULL);
	db->in_transaction = st == DB_OK;
	return st;
}

enum db_status db_begin_read_only(struct db *db, struct arena *arena)
{
	enum db_status st = db_exec_script(db, arena, "BEGIN READ ONLY", NULL);
	db->in_transaction = st == DB_OK;
	return st;
}

enum db_status db_commit(struct db *db, struct arena *arena)
{
	enum db_status st = db_exec_script(db, arena, "COMMIT", NULL);
	db->in_transaction = false;
	return st;
}

void db_rollback(struct db *db, struct arena *arena)
{
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
		db_exec_script(db, arena, "ROLLBACK", NULL);
	db->in_transaction = false;
}

bool db_in_transaction(const struct db *db)
{
	return db->in_transaction;
}

const char *db_value(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

bool db_bool(const PGresult *res, int row, int col)
{
	const char *v = db_value(res, row, col);
	return v && v[0] == 't';
}

void db_time_to_rfc3339(const char *pg, char out[32])
{
	/* "2026-11-28 05:13:23.123456+00" → "2026-11-28T05:13:23.123Z": bytes moved, no printf. */
	size_t n = strlen(pg);
	if (n < 19) {
		memcpy(out, pg, n + 1);
		return;
	}
	memcpy(out, pg, 19);
	out[10] = 'T';
	out[19] = '.';
	memcpy(out + 20, "000Z", 5);
	if (n > 20 && pg[19] == '.') {
		for (int i = 0; i < 3 && pg[20 + i] >= '0' && pg[20 + i] <= '9'; i++)
			out[20 + i] = pg[20 + i];
	}
}

static void db_write_value(struct jw *w, const PGresult *res, int row, int col, enum db_kind kind)
{
	const char *v = db_value(res, row, col);
	if (!v) {
		jw_null(w);
		return;
	}
	switch (kind) {
	case DBK_STRING:
		jw_string_n(w, v, (size_t)PQgetlength(res, row, col));
		break;
	case DBK_NUMBER:
	case DBK_JSON:
		jw_raw(w, v);
		break;
	case DBK_BOOL:
		jw_bool(w, v[0] == 't');
		break;
	case DBK_TIME: {
		char t[32];
		db_time_to_rfc3339(v, t);
		jw_string_n(w, t, strlen(t));
		break;
	}
	}
}

void db_write_members_except(struct jw *w, const PGresult *res, int row, const struct db_column *map, int skip_col)
{
	int ncols = PQnfields(res);
	for (int col = 0; map[col].key && col < ncols; col++) {
		if (col == skip_col)
			continue;
		jw_key(w, map[col].key);
		db_write_value(w, res, row, col, map[col].kind);
	}
}

void db_write_members(struct jw *w, const PGresult *res, int row, const struct db_column *map)
{
	db_write_members_except(w, res, row, map, -1);
}

void db_write_row(struct jw *w, const PGresult *res, int row, const struct db_column *map)
{
	jw_object_begin(w);
	db_write_members(w, res, row, map);
	jw_object_end(w);
}

void db_write_rows(struct jw *w, const PGresult *res, const struct db_column *map)
{
	jw_array_begin(w);
	for (int row = 0; row < PQntuples(res); row++)
		db_write_row(w, res, row, map);
	jw_array_end(w);
}
