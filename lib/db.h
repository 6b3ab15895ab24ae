/*
 * db.h — the one database helper: a libpq connection that reconnects by itself (in a
 * daemon, db_link.h keeps it instead, without blocking), statements that are always
 * parameterized, and rows written as JSON through a map.
 *
 * A statement is declared once, with its arity, beside its column map in a repo file
 * (statement.h: STATEMENT_DECLARE / STATEMENT, run with db_run() or statement_exec()):
 *
 *     STATEMENT(device_by_id, "SELECT ... WHERE id = $1::uuid");
 *     const struct db_column device_columns[] = { {"id", DBK_STRING}, ..., {0} };
 *
 * It is prepared lazily on each connection (a reconnect re-prepares it). db_exec never
 * builds SQL from input: parameters travel separately, as text, NULL meaning SQL NULL.
 */
#ifndef STATION_DB_H
#define STATION_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "arena.h"
#include "json_writer.h"

struct db_stmt {
	const char *sql;
	int nparams;
	const char *conflict; /* the 409 message when this statement breaks a unique key */
	const char *invalid;  /* the 400 message when it breaks a reference or a check */
	unsigned prepared_generation; /* the connection generation it was prepared on */
	unsigned id;                  /* assigned on first use; names the prepared statement */
};

enum db_status {
	DB_OK,
	DB_UNAVAILABLE, /* no connection: the caller answers 503 */
	DB_TIMEOUT,     /* statement_timeout or lock_timeout fired (57014, 55P03): 503, try again soon */
	DB_CONFLICT,    /* unique or exclusion violation: 409 */
	DB_INVALID,     /* foreign key, check or bad input value: 400/404 by context */
	DB_ERROR,       /* anything else: logged, 500 */
};

struct db;

/* application_name is shown in pg_stat_activity (the module or daemon name). */
struct db *db_new(const char *application_name);
/* One connection attempt bounded by db.connect_timeout; 0 on success. */
int db_connect(struct db *db);
/* Closes the connection and frees db. */
void db_close(struct db *db);
/* Bounds every statement of every later connection (0: no bound, the default). Set at
 * connect (db_connect or db_connect_start), so every reconnection keeps it. */
void db_set_statement_timeout(struct db *db, long ms);
/* The same for lock_timeout: how long a statement may wait for a lock (0: no bound). */
void db_set_lock_timeout(struct db *db, long ms);
/* Both from the configuration (db.statement_timeout_ms, db.lock_timeout_ms): workers and
 * mqttd call this after db_new(); STATION_DB_STATEMENT_TIMEOUT_MS in a program's
 * environment overrides the value for that program alone. */
void db_use_configured_timeouts(struct db *db);
/* Increases on every successful (re)connect, so a daemon knows to LISTEN again. */
unsigned db_generation(const struct db *db);
PGconn *db_conn(struct db *db);

/*
 * Daemons (see db_link.h): connecting without blocking. db_set_reconnect(db, false) makes
 * db_exec answer DB_UNAVAILABLE when it finds no connection or a dead one, instead of
 * connecting by itself (the default, for workers and tools). db_connect_start() begins a
 * connection with exactly db_connect()'s parameters, for the caller to drive with
 * PQconnectPoll (NULL only when memory ran out); db_adopt() hands db a connection that
 * reached CONNECTION_OK (the generation increases); db_note_error() records why an
 * attempt failed, for db_last_error(); db_disconnect() drops the connection.
 */
void db_set_reconnect(struct db *db, bool on);
PGconn *db_connect_start(struct db *db);
void db_adopt(struct db *db, PGconn *conn);
void db_note_error(struct db *db, const char *message);
void db_disconnect(struct db *db);

/*
 * Runs a prepared statement. On DB_OK *out (if given) is the result, released with the
 * arena. Connection loss is detected before sending and, outside a transaction, repaired
 * (unless db_set_reconnect(db, false): then it is DB_UNAVAILABLE).
 */
enum db_status db_exec(struct db *db, struct arena *arena, struct db_stmt *stmt,
		       const char *const *params, PGresult **out);
/* db_exec after checking that nparams is what the statement declares (statement.h). */
enum db_status db_exec_counted(struct db *db, struct arena *arena, struct db_stmt *stmt,
			       const char *const *params, int nparams, PGresult **out);
/* Runs fixed SQL text without parameters (BEGIN, LISTEN, a migration file). */
enum db_status db_exec_script(struct db *db, struct arena *arena, const char *sql, PGresult **out);
/* The SQLSTATE and message of the last failure, for logs ("" when none). */
const char *db_last_error(const struct db *db);

enum db_status db_begin(struct db *db, struct arena *arena);
enum db_status db_begin_read_only(struct db *db, struct arena *arena);
enum db_status db_commit(struct db *db, struct arena *arena);
void db_rollback(struct db *db, struct arena *arena);
bool db_in_transaction(const struct db *db);

/* Cell text, or NULL for SQL NULL. */
const char *db_value(const PGresult *res, int row, int col);
bool db_bool(const PGresult *res, int row, int col);

/* How a result column becomes a JSON value. */
enum db_kind {
	DBK_STRING,
	DBK_NUMBER, /* integer or numeric text, written as is */
	DBK_BOOL,
	DBK_JSON,   /* json/jsonb text, written as is */
	DBK_TIME,   /* timestamptz → "2026-11-28T05:13:23.123Z" */
};

/* The most columns a map may describe. */
#define DB_COLUMNS_MAX 64

struct db_column {
	const char *key; /* camelCase JSON key; the map follows the SELECT's column order */
	enum db_kind kind;
};

/* Writes row `row` as an object: map[i] describes column i; the map ends with {0}. */
void db_write_row(struct jw *w, const PGresult *res, int row, const struct db_column *map);
/* Writes every row as an array of objects. */
void db_write_rows(struct jw *w, const PGresult *res, const struct db_column *map);
/* Writes the members of row `row` into an object the caller has opened. */
void db_write_members(struct jw *w, const PGresult *res, int row, const struct db_column *map);
/* The same, leaving out column skip_col (a member too big to send, say). */
void db_write_members_except(struct jw *w, const PGresult *res, int row, const struct db_column *map, int skip_col);
/* Converts Postgres' ISO timestamptz text (UTC session) to RFC 3339 with milliseconds. */
void db_time_to_rfc3339(const char *pg, char out[32]);

#endif
