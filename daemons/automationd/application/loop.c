/*
 * loop.c — station-automationd's event loop: the database link, the runner lock, and
 * what wakes the runner (notifications, webhook results, due delays, schedules).
 *
 * One ppoll() over the libpq socket (lib/db_link: connecting without blocking, LISTEN
 * on every new connection, backoff) and the webhook thread's pipe. Each turn, in order:
 * advance the link, forget the runs of a lost session, try the runner lock when due,
 * then — as the runner — take webhook results, end due delays, fire due schedules, and
 * dispatch notifications until none is left (statements run meanwhile may have read
 * more). The timeout is the nearest deadline, so an idle automationd sleeps, and a
 * standby wakes only to try the lock. The stop signals are blocked except inside ppoll().
 */
#include <poll.h>
#include <string.h>
#include <time.h>

#include "application/automationd.h"
#include "infrastructure/repo.h"
#include "log.h"
#include "stop_signal.h"
#include "timeutil.h"

/* The longest sleep: a wall-clock jump is noticed within this many ms. */
#define LOOP_MAX_SLEEP_MS 60000

void automationd_db_failed(struct automationd *a, enum db_status st)
{
	if (st == DB_UNAVAILABLE) {
		if (a->leader)
			log_warn("database unavailable: the runner role ends with the session");
		a->leader = false;
		a->forget = true;
		return;
	}
	log_fields(LOG_ERROR, "statement failed", "error", db_last_error(a->db), NULL);
}

static void on_link_event(struct automationd *a, enum db_link_event ev, long long now)
{
	if (ev == DB_LINK_CONNECTED) {
		a->up = true;
		a->said_standby = false;
		a->lock_retry_at = now;
		log_info("database connected");
	} else if (ev == DB_LINK_LOST) {
		a->up = false;
		if (a->leader)
			log_warn("database connection lost: the runner role ends with the session; reconnecting");
		a->leader = false;
		a->forget = true;
	}
}

/* A standby (or a new connection) tries the runner lock; the winner loads and recovers. */
static void try_lead(struct automationd *a, long long now)
{
	if (!a->up || a->leader || now < a->lock_retry_at)
		return;
	bool got = false;
	enum db_status st = repo_runner_lock(a->db, a->scratch, &got);
	if (st != DB_OK) {
		automationd_db_failed(a, st);
		a->lock_retry_at = now + a->cfg.standby_retry_ms;
		return;
	}
	if (!got) {
		if (!a->said_standby)
			log_info("standby: another station-automationd holds the runner lock");
		a->said_standby = true;
		a->lock_retry_at = now + a->cfg.standby_retry_ms;
		return;
	}
	a->leader = true;
	log_info("runner lock taken: this instance runs the automations");
	a->zone_check_at = now + ZONE_CHECK_MS;
	index_load(a);
	if (a->leader)
		runs_recover(a);
}

static void dispatch(struct automationd *a, const char *channel, const char *payload)
{
	if (strcmp(channel, "automations_changed") == 0) {
		index_reload_one(a, payload);
	} else if (strcmp(channel, "automation_runs") == 0) {
		runs_resume(a, payload);
	} else {
		struct device_notice n;
		if (notice_read(a->scratch, payload, &n) && n.kind != NOTICE_OTHER)
			index_on_notice(a, &n);
	}
}

/* Every notification libpq holds; only the runner acts on them. */
static void take_notifications(struct automationd *a)
{
	PGconn *conn = a->up ? db_conn(a->db) : NULL;
	PGnotify *n;
	while (conn && (n = PQnotifies(conn)) != NULL) {
		if (a->leader)
			dispatch(a, n->relname, n->extra ? n->extra : "");
		PQfreemem(n);
		arena_reset(a->scratch);
		conn = a->up ? db_conn(a->db) : NULL;
	}
}

static long until(long long at, long long now)
{
	return at < 0 ? -1 : at <= now ? 0 : (long)(at - now > LOOP_MAX_SLEEP_MS ? LOOP_MAX_SLEEP_MS : at - now);
}

/* Everything due now; the poll timeout in ms. */
static long run_due(struct automationd *a)
{
	long long now = time_monotonic_ms();
	on_link_event(a, db_link_step(a->link, now, 0), now);
	if (a->forget) {
		runs_forget_all(a);
		a->forget = false;
	}
	try_lead(a, now);
	struct webhook_result *r;
	while ((r = webhooks_take(a->webhooks)) != NULL) {
		runs_webhook_done(a, r);
		webhook_result_free(r);
		arena_reset(a->scratch);
	}
	if (a->leader && now >= a->zone_check_at) {
		index_check_zone(a);
		a->zone_check_at = now + ZONE_CHECK_MS;
	}
	if (a->leader) {
		runs_due(a, time_now_ms());
		arena_reset(a->scratch);
		index_run_schedules(a, time_now());
		arena_reset(a->scratch);
	}
	take_notifications(a);
	arena_reset(a->scratch);

	now = time_monotonic_ms();
	long timeout = time_sooner_ms(db_link_timeout_ms(a->link, now), LOOP_MAX_SLEEP_MS);
	if (a->forget)
		return 0;
	if (a->up && !a->leader)
		timeout = time_sooner_ms(timeout, until(a->lock_retry_at, now));
	if (a->leader) {
		long long wall = time_now_ms(), sched = index_next_schedule(a);
		timeout = time_sooner_ms(timeout, until(runs_next_due(a), wall));
		timeout = time_sooner_ms(timeout, until(sched < 0 ? -1 : sched * 1000, wall));
		timeout = time_sooner_ms(timeout, until(a->zone_check_at, now));
	}
	return timeout < 0 ? 0 : timeout;
}

int automationd_run(struct automationd *a, volatile sig_atomic_t *stop, const sigset_t *unblocked)
{
	while (!*stop) {
		long timeout = run_due(a);
		struct pollfd fds[2];
		nfds_t n = 0;
		int db_fd = db_link_socket(a->link), hook_fd = webhooks_fd(a->webhooks), db_at = -1;
		if (db_fd >= 0) {
			fds[n] = (struct pollfd){ .fd = db_fd, .events = db_link_events(a->link) };
			db_at = (int)n++;
		}
		if (hook_fd >= 0)
			fds[n++] = (struct pollfd){ .fd = hook_fd, .events = POLLIN };
		if (stop_signal_poll(fds, n, timeout, unblocked) < 0)
			return 1;
		if (db_at >= 0 && fds[db_at].revents && db_link_socket(a->link) == db_fd) {
			long long now = time_monotonic_ms();
			on_link_event(a, db_link_step(a->link, now, fds[db_at].revents), now);
		}
	}
	return 0;
}
