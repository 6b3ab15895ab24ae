/*
 * jobs.h — the maintenance jobs of station-cron (SPEC §9) as one table.
 *
 * A job is a record: its name on the command line, when the crontab runs it, the key of
 * its advisory lock, what its count means, and the function that does the work inside
 * the transaction station-cron opened for it. Adding a job is one entry in cron_jobs[]
 * (jobs.c), its statement in repo.c and its line in daemons/cron/crontab. A job body
 * never opens, commits or ends the transaction it runs in: station-cron.c owns it.
 */
#ifndef STATION_CRON_JOBS_H
#define STATION_CRON_JOBS_H

#include <stdio.h>

#include "arena.h"
#include "db.h"

struct cron_job {
	const char *name;        /* `station-cron <name>` */
	const char *schedule;    /* "every minute" or "daily": how daemons/cron/crontab runs it */
	long long lock_key;      /* pg_try_advisory_xact_lock key, unique per job */
	const char *summary;     /* one line for --list and the usage */
	const char *counted;     /* what the logged count counts: "devices marked offline" */
	/* Runs inside the job's transaction, lock held; sets *changed on DB_OK. */
	enum db_status (*run)(struct db *db, struct arena *arena, long long *changed);
};

/* Every job, ending with an entry whose name is NULL. */
extern const struct cron_job cron_jobs[];

/* The job called name, or NULL. */
const struct cron_job *cron_job_find(const char *name);

/* One line per job: name, schedule, summary (--list, and the usage). */
void cron_jobs_print(FILE *out);

/*
 * The station_events payload of a status change (SPEC §6):
 * {"type":"device.statusChanged","data":{deviceId,deviceName,deviceType,status},"ts":now_ms}.
 * Always shorter than PostgreSQL's 8000-byte NOTIFY limit: an oversized name is left out
 * (deviceName null, "truncated":true).
 */
const char *cron_status_changed_payload(struct arena *arena, const char *device_id, const char *device_name,
					const char *device_type, const char *status, long long now_ms);

#endif
