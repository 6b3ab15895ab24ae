/*
 * test_db_link.c — the backoff (lib/backoff.c) and the state machine of a daemon's
 * database link (lib/db_link.c), without a database.
 *
 * Time is passed in, never read: the deadlines are checked by stepping the link at
 * chosen instants. The servers are a socket path that does not exist (an attempt that
 * fails at once) and a loopback socket that accepts connections and never speaks (an
 * attempt that would wait forever); the test never sleeps.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arena.h"
#include "backoff.h"
#include "config.h"
#include "db.h"
#include "db_link.h"
#include "log.h"
#include "tap.h"

static void test_backoff(void)
{
	struct backoff b;
	backoff_init(&b, 250, 2000);
	long d1 = backoff_next(&b, 0.5), d2 = backoff_next(&b, 0.5), d3 = backoff_next(&b, 0.5), d4 = backoff_next(&b, 0.5),
	     d5 = backoff_next(&b, 0.5), d6 = backoff_next(&b, 0.999);
	ok(d1 == 250 && d2 == 500 && d3 == 1000 && d4 == 2000 && d5 == 2000, "doubling up to the cap (jitter 0.5 = none)");
	ok(d6 <= 2000, "jitter never exceeds the cap");
	long low = backoff_next(&b, 0.0);
	ok(low == 1600, "jitter takes up to a fifth off");
	backoff_reset(&b);
	long again = backoff_next(&b, 0.5);
	ok(again == 250, "reset: from the first delay again");
	double j = backoff_jitter();
	ok(j >= 0 && j < 1, "backoff_jitter() is in [0, 1)");
}

/* Points db.conninfo somewhere else (the configuration is read again). */
static void use_conninfo(const char *conninfo)
{
	setenv("STATION_DB_CONNINFO", conninfo, 1);
	if (cfg_load() != 0)
		abort();
}

static bool between(long v, long lo, long hi)
{
	return v >= lo && v <= hi;
}

static void test_failing_attempts(void)
{
	use_conninfo("host=/nonexistent/station-test port=1 dbname=station user=station");
	struct db *db = db_new("test_db_link");
	struct db_link *l = db_link_new(db, NULL);
	long long t = 100000;
	ok(db_link_timeout_ms(l, t) == 0 && !db_link_up(l), "a new link wants its first attempt at once");
	ok(db_link_step(l, t, 0) == DB_LINK_QUIET, "an attempt that fails is no event for the daemon");
	ok(db_link_failures(l) == 1 && db_link_socket(l) == -1 && db_link_events(l) == 0,
	   "a socket that does not exist: failed at once, nothing to watch");
	ok(db_last_error(db)[0] != '\0', "the reason is db_last_error(): %s", db_last_error(db));
	long first = db_link_timeout_ms(l, t);
	ok(between(first, 200, 300), "the next attempt in the first delay, with jitter (%ld ms)", first);
	db_link_step(l, t + first - 1, 0);
	ok(db_link_failures(l) == 1, "no attempt before it is due");
	db_link_step(l, t + first, 0);
	long second = db_link_timeout_ms(l, t + first);
	ok(db_link_failures(l) == 2 && between(second, 400, 600), "the next delay doubles (%ld ms)", second);

	long long at = t + first;
	for (int i = 0; i < 20; i++) {
		at += db_link_timeout_ms(l, at);
		db_link_step(l, at, 0);
	}
	long capped = db_link_timeout_ms(l, at);
	ok(db_link_failures(l) == 22 && between(capped, 3200, 4000), "capped by db.retry_max_ms (%ld ms)", capped);
	db_link_hurry(l, at + DB_LINK_HURRY_MS - 1);
	ok(db_link_timeout_ms(l, at + DB_LINK_HURRY_MS - 1) > 0, "hurry: not within a second of the last attempt");
	db_link_hurry(l, at + DB_LINK_HURRY_MS);
	ok(db_link_timeout_ms(l, at + DB_LINK_HURRY_MS) == 0, "hurry: a second after it, the next attempt is due now");

	struct arena *a = arena_new();
	ok(db_exec_script(db, a, "SELECT 1", NULL) == DB_UNAVAILABLE, "db_exec without a connection: unavailable");
	arena_destroy(a);
	db_link_free(l);
	db_close(db);
}

static void test_silent_server(void)
{
	int srv = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof addr;
	if (srv < 0 || bind(srv, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(srv, 8) != 0 ||
	    getsockname(srv, (struct sockaddr *)&addr, &len) != 0)
		abort();
	char conninfo[128];
	snprintf(conninfo, sizeof conninfo, "hostaddr=127.0.0.1 port=%d dbname=station user=station sslmode=disable",
		 ntohs(addr.sin_port));
	use_conninfo(conninfo);

	/* A daemon's db never connects by itself: nothing reaches the server. */
	struct db *db = db_new("test_db_link");
	db_set_reconnect(db, false);
	struct arena *a = arena_new();
	ok(db_exec_script(db, a, "SELECT 1", NULL) == DB_UNAVAILABLE, "db_exec in a daemon: unavailable at once");
	int probe = accept(srv, NULL, NULL);
	ok(probe < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), "…without connecting");
	arena_destroy(a);

	struct db_link *l = db_link_new(db, (const char *const[]){ "station_events", NULL });
	long long t = 5000;
	db_link_step(l, t, 0);
	ok(db_link_connecting(l) && db_link_socket(l) >= 0 && db_link_events(l) == POLLOUT,
	   "an attempt in progress: its socket, waiting to write");
	ok(db_link_timeout_ms(l, t) == 1000, "its deadline is db.connect_timeout");
	ok(db_link_step(l, t, POLLIN) == DB_LINK_QUIET && db_link_events(l) == POLLOUT,
	   "readiness it did not ask for does not advance it");
	/* libpq writes in steps (connected, then the startup packet): follow it while it
	 * wants to write, as a loop would. */
	int writable = 0;
	for (int i = 0; i < 5 && db_link_connecting(l) && db_link_events(l) == POLLOUT; i++) {
		struct pollfd pfd = { .fd = db_link_socket(l), .events = db_link_events(l) };
		if (poll(&pfd, 1, 10000) != 1)
			break;
		writable++;
		db_link_step(l, t + 10, pfd.revents);
	}
	ok(writable > 0 && db_link_connecting(l) && db_link_events(l) == POLLIN,
	   "connected and the startup packet sent: waiting for an answer");
	db_link_step(l, t + 999, 0);
	ok(db_link_connecting(l) && db_link_failures(l) == 0, "still waiting just before the deadline");
	ok(db_link_step(l, t + 1000, 0) == DB_LINK_QUIET && !db_link_connecting(l) && db_link_failures(l) == 1,
	   "abandoned at the deadline");
	is_str(db_last_error(db), "no answer within 1 s", "the reason names the wait");
	ok(db_link_socket(l) == -1 && between(db_link_timeout_ms(l, t + 1000), 200, 300),
	   "then the backoff, as for any failure");
	ok(!db_link_up(l) && db_conn(db) == NULL, "the db never saw the attempt's connection");
	db_link_free(l);
	db_close(db);
	close(srv);
}

int main(void)
{
	log_init("test_db_link");
	setenv("STATION_CONFIG", "/dev/null", 1);
	setenv("STATION_DB_CONNECT_TIMEOUT", "1", 1);
	setenv("STATION_DB_RETRY_MAX_MS", "4000", 1);
	setenv("STATION_LOG_LEVEL", "error", 1);
	test_backoff();
	test_failing_attempts();
	test_silent_server();
	return done();
}
