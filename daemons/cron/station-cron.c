/*
 * station-cron.c — `station-cron <job>`: runs one maintenance job (SPEC §9) and exits.
 *
 * cron starts it (daemons/cron/crontab; a loop in the dev stack). One run is: load the
 * configuration, connect (a few bounded attempts, never forever: the next run is at
 * most a day away), open a transaction, take the job's advisory lock — if another run
 * holds it, say "already running" and succeed — run the job, commit, and log one JSON
 * line with the job's name and how many rows it changed. Because the lock is
 * transaction-level, it can never outlive the run, whatever way the run ends.
 *
 * Exit status: 0 done (or already running), 1 database failure, 2 usage or configuration.
 * It must never retry a failed job in a loop or leave a transaction open behind it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "jobs.h"
#include "log.h"
#include "repo.h"
#include "timeutil.h"

/* Connection attempts before giving up, the first pause between them (doubling, capped
 * by db.retry_max_ms), each attempt itself bounded by db.connect_timeout. */
#define CONNECT_ATTEMPTS 5
#define CONNECT_FIRST_PAUSE_MS 250

enum { EXIT_DONE = 0, EXIT_DATABASE = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out, "usage: station-cron <job>    run one maintenance job and exit\n"
		     "       station-cron --list    list the jobs and when the crontab runs them\n"
		     "jobs:\n");
	cron_jobs_print(out);
}

static int connect_bounded(struct db *db)
{
	long pause_ms = CONNECT_FIRST_PAUSE_MS, max_ms = cfg_int("db.retry_max_ms");
	for (int attempt = 1;; attempt++) {
		if (db_connect(db) == 0)
			return 0;
		if (attempt == CONNECT_ATTEMPTS)
			return -1;
		log_warn("database unreachable (%s); attempt %d of %d, next in %ld ms", db_last_error(db), attempt,
			 CONNECT_ATTEMPTS, pause_ms);
		struct timespec ts = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		pause_ms = pause_ms * 2 > max_ms ? max_ms : pause_ms * 2;
	}
}

/* The job in one locked transaction; the exit status. */
static int run_locked(const struct cron_job *job, struct db *db, struct arena *arena)
{
	long long started = time_monotonic_ms(), changed = 0;
	bool acquired = false;
	enum db_status st = db_begin(db, arena);
	if (st == DB_OK)
		st = cron_repo_lock(db, arena, job->lock_key, &acquired);
	if (st == DB_OK && !acquired) {
		db_rollback(db, arena);
		log_fields(LOG_INFO, "already running", "job", job->name, NULL);
		return EXIT_DONE;
	}
	if (st == DB_OK)
		st = job->run(db, arena, &changed);
	if (st == DB_OK)
		st = db_commit(db, arena);
	if (st != DB_OK) {
		const char *detail = arena_strdup(arena, db_last_error(db));
		db_rollback(db, arena);
		log_fields(LOG_ERROR, st == DB_UNAVAILABLE ? "job failed: database unavailable" : "job failed: database error",
			   "job", job->name, "detail", detail, NULL);
		return EXIT_DATABASE;
	}
	log_fields(LOG_INFO, arena_printf(arena, "%s: %lld %s", job->name, changed, job->counted), "job", job->name,
		   "changed", arena_printf(arena, "%lld", changed), "ms",
		   arena_printf(arena, "%lld", time_monotonic_ms() - started), NULL);
	return EXIT_DONE;
}

int main(int argc, char **argv)
{
	log_init("station-cron");
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		cron_jobs_print(stdout);
		return EXIT_DONE;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return EXIT_DONE;
	}
	const struct cron_job *job = argc == 2 ? cron_job_find(argv[1]) : NULL;
	if (!job) {
		if (argc == 2)
			fprintf(stderr, "station-cron: unknown job \"%s\"\n", argv[1]);
		else
			fprintf(stderr, "station-cron: expected one job name\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cfg_load() != 0)
		return EXIT_USAGE;

	struct db *db = db_new("station-cron");
	if (connect_bounded(db) != 0) {
		log_fields(LOG_ERROR, "job failed: database unavailable", "job", job->name, "detail", db_last_error(db),
			   NULL);
		db_close(db);
		return EXIT_DATABASE;
	}
	struct arena *arena = arena_new();
	int status = run_locked(job, db, arena);
	arena_destroy(arena);
	db_close(db);
	return status;
}
