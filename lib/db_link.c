/*
 * db_link.c — a daemon's PostgreSQL connection, made and kept without blocking (see
 * db_link.h).
 *
 * Four states: WAITING (no connection; the next attempt is due at next_attempt),
 * CONNECTING (PQconnectPoll in progress on `pending`), LISTENING (connected; the LISTEN
 * statements are sent and their results awaited, still on `pending`), UP (the db owns
 * the connection). Every call returns at once: libpq is only asked to go on when the
 * socket is ready, and the socket is put in non-blocking mode while LISTEN is sent.
 * An attempt lives at most connect_timeout_ms, from PQconnectStart to LISTEN's result.
 *
 * Must never call a blocking libpq function (PQexec, PQconnectdb, PQgetResult while
 * busy), and never retry sooner than the backoff allows (db_link_hurry aside).
 */
#include "db_link.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

enum db_link_state { LINK_WAITING, LINK_CONNECTING, LINK_LISTENING, LINK_UP };

struct db_link {
	struct db *db;
	char *listen_sql;          /* "LISTEN \"a\";LISTEN \"b\";", NULL without channels */
	enum db_link_state state;
	PGconn *pending;           /* the attempt's connection, CONNECTING or LISTENING */
	short want;                /* what the attempt waits for */
	long long deadline;        /* monotonic ms: the attempt is abandoned then */
	long long next_attempt;    /* monotonic ms, WAITING */
	long long last_attempt;    /* when the last attempt started; 0: never */
	int failures;
	long connect_timeout_ms;
	struct backoff backoff;
};

static char *listen_sql_of(const char *const *channels)
{
	if (!channels || !channels[0])
		return NULL;
	size_t len = 1;
	for (const char *const *c = channels; *c; c++) {
		if (strchr(*c, '"') || !**c)
			abort(); /* a programming error: channels are identifiers written in code */
		len += strlen(*c) + sizeof "LISTEN \"\";";
	}
	char *sql = xmalloc(len);
	size_t n = 0;
	for (const char *const *c = channels; *c; c++)
		n += (size_t)snprintf(sql + n, len - n, "LISTEN \"%s\";", *c);
	return sql;
}

struct db_link *db_link_new(struct db *db, const char *const *channels)
{
	struct db_link *l = xcalloc(1, sizeof *l);
	l->db = db;
	l->listen_sql = listen_sql_of(channels);
	l->state = LINK_WAITING;
	l->connect_timeout_ms = cfg_int("db.connect_timeout") * 1000;
	backoff_init(&l->backoff, DB_LINK_FIRST_RETRY_MS, cfg_int("db.retry_max_ms"));
	db_set_reconnect(db, false);
	return l;
}

void db_link_free(struct db_link *l)
{
	if (!l)
		return;
	if (l->pending)
		PQfinish(l->pending);
	free(l->listen_sql);
	free(l);
}

bool db_link_up(const struct db_link *l) { return l->state == LINK_UP; }
bool db_link_connecting(const struct db_link *l) { return l->state == LINK_CONNECTING || l->state == LINK_LISTENING; }
int db_link_failures(const struct db_link *l) { return l->failures; }

int db_link_socket(const struct db_link *l)
{
	switch (l->state) {
	case LINK_CONNECTING:
	case LINK_LISTENING:
		return PQsocket(l->pending);
	case LINK_UP:
		return db_conn(l->db) ? PQsocket(db_conn(l->db)) : -1;
	default:
		return -1;
	}
}

short db_link_events(const struct db_link *l)
{
	switch (l->state) {
	case LINK_CONNECTING:
	case LINK_LISTENING:
		return l->want;
	case LINK_UP:
		return POLLIN;
	default:
		return 0;
	}
}

long db_link_timeout_ms(const struct db_link *l, long long now)
{
	long long at;
	switch (l->state) {
	case LINK_WAITING:
		at = l->next_attempt;
		break;
	case LINK_CONNECTING:
	case LINK_LISTENING:
		at = l->deadline;
		break;
	default:
		return -1;
	}
	return at <= now ? 0 : (long)(at - now);
}

void db_link_hurry(struct db_link *l, long long now)
{
	if (l->state == LINK_WAITING && l->next_attempt > now &&
	    (l->last_attempt == 0 || now - l->last_attempt >= DB_LINK_HURRY_MS))
		l->next_attempt = now;
}

/* The attempt failed (why: libpq's message or ours): back off and try again later. */
static void attempt_failed(struct db_link *l, long long now, const char *why)
{
	db_note_error(l->db, why);
	if (l->pending)
		PQfinish(l->pending);
	l->pending = NULL;
	l->state = LINK_WAITING;
	l->failures++;
	long delay = backoff_next(&l->backoff, backoff_jitter());
	l->next_attempt = now + delay;
	enum log_level level = l->failures == 1 || l->backoff.current_ms >= l->backoff.max_ms ? LOG_WARN : LOG_DEBUG;
	log_write(level, "database unreachable (%s); retrying in %ld ms", db_last_error(l->db), delay);
}

/* The connection that was up is gone. */
static enum db_link_event lost(struct db_link *l, long long now)
{
	PGconn *conn = db_conn(l->db);
	if (conn && PQstatus(conn) != CONNECTION_OK)
		db_note_error(l->db, PQerrorMessage(conn));
	else if (!conn && !db_last_error(l->db)[0])
		db_note_error(l->db, "connection lost");
	db_disconnect(l->db);
	l->state = LINK_WAITING;
	l->failures = 0;
	backoff_reset(&l->backoff);
	l->next_attempt = now + backoff_next(&l->backoff, backoff_jitter());
	return DB_LINK_LOST;
}

static enum db_link_event adopt(struct db_link *l)
{
	PQsetnonblocking(l->pending, 0); /* the daemon's statements are synchronous */
	db_adopt(l->db, l->pending);
	l->pending = NULL;
	l->state = LINK_UP;
	backoff_reset(&l->backoff);
	return DB_LINK_CONNECTED;
}

/* Sends the LISTEN statements (or adopts at once without channels). */
static enum db_link_event begin_listening(struct db_link *l, long long now)
{
	if (!l->listen_sql)
		return adopt(l);
	if (PQsetnonblocking(l->pending, 1) != 0 || !PQsendQuery(l->pending, l->listen_sql)) {
		attempt_failed(l, now, PQerrorMessage(l->pending));
		return DB_LINK_QUIET;
	}
	l->state = LINK_LISTENING;
	int flush = PQflush(l->pending);
	if (flush < 0) {
		attempt_failed(l, now, PQerrorMessage(l->pending));
		return DB_LINK_QUIET;
	}
	l->want = (short)(POLLIN | (flush ? POLLOUT : 0));
	return DB_LINK_QUIET;
}

static enum db_link_event advance_connecting(struct db_link *l, long long now)
{
	switch (PQconnectPoll(l->pending)) {
	case PGRES_POLLING_OK:
		return begin_listening(l, now);
	case PGRES_POLLING_READING:
		l->want = POLLIN;
		return DB_LINK_QUIET;
	case PGRES_POLLING_WRITING:
		l->want = POLLOUT;
		return DB_LINK_QUIET;
	default:
		attempt_failed(l, now, PQerrorMessage(l->pending));
		return DB_LINK_QUIET;
	}
}

/* Reads LISTEN's results as far as they have arrived. */
static enum db_link_event advance_listening(struct db_link *l, long long now, short revents)
{
	PGconn *c = l->pending;
	if (l->want & POLLOUT) {
		int flush = PQflush(c);
		if (flush < 0) {
			attempt_failed(l, now, PQerrorMessage(c));
			return DB_LINK_QUIET;
		}
		l->want = (short)(POLLIN | (flush ? POLLOUT : 0));
	}
	if ((revents & (POLLIN | POLLERR | POLLHUP)) && !PQconsumeInput(c)) {
		attempt_failed(l, now, PQerrorMessage(c));
		return DB_LINK_QUIET;
	}
	while (!PQisBusy(c)) {
		PGresult *res = PQgetResult(c);
		if (!res)
			return adopt(l);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			char why[256];
			snprintf(why, sizeof why, "LISTEN failed: %s", PQresultErrorMessage(res));
			PQclear(res);
			attempt_failed(l, now, why);
			return DB_LINK_QUIET;
		}
		PQclear(res);
	}
	return DB_LINK_QUIET;
}

static void start_attempt(struct db_link *l, long long now)
{
	l->last_attempt = now;
	l->deadline = now + l->connect_timeout_ms;
	l->pending = db_connect_start(l->db);
	if (!l->pending)
		abort(); /* libpq could not allocate a connection object */
	if (PQstatus(l->pending) == CONNECTION_BAD) {
		attempt_failed(l, now, PQerrorMessage(l->pending));
		return;
	}
	l->state = LINK_CONNECTING;
	l->want = POLLOUT; /* as libpq says: behave as if PQconnectPoll had asked to write */
}

enum db_link_event db_link_step(struct db_link *l, long long now, short revents)
{
	enum db_link_event ev = DB_LINK_QUIET;
	switch (l->state) {
	case LINK_WAITING:
		if (now >= l->next_attempt)
			start_attempt(l, now);
		return DB_LINK_QUIET;
	case LINK_CONNECTING:
		/* Only the readiness libpq asked for: PQconnectPoll must not run before it. */
		if (revents & (l->want | POLLERR | POLLHUP))
			ev = advance_connecting(l, now);
		break;
	case LINK_LISTENING:
		if (revents || (l->want & POLLOUT))
			ev = advance_listening(l, now, revents);
		break;
	case LINK_UP: {
		PGconn *conn = db_conn(l->db);
		if (!conn || PQstatus(conn) != CONNECTION_OK)
			return lost(l, now);
		if ((revents & (POLLIN | POLLERR | POLLHUP)) &&
		    (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK)) {
			db_note_error(l->db, PQerrorMessage(conn));
			return lost(l, now);
		}
		return DB_LINK_QUIET;
	}
	}
	if ((l->state == LINK_CONNECTING || l->state == LINK_LISTENING) && now >= l->deadline) {
		char why[64];
		snprintf(why, sizeof why, "no answer within %ld s", l->connect_timeout_ms / 1000);
		attempt_failed(l, now, why);
	}
	return ev;
}
