/*
 * repo.h — SQL of station-cron: the advisory lock of a run and one statement per job.
 *
 * Functions return the database status; counts are rows the statement changed. Nothing
 * here decides when a job runs or what it logs.
 */
#ifndef STATION_CRON_REPO_H
#define STATION_CRON_REPO_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "arena.h"
#include "db.h"

/*
 * Inside the caller's transaction: bounds how long a statement may wait for a row lock
 * and run, then tries the transaction-level advisory lock `key`. *acquired is false when
 * another run holds it (the lock goes away by itself at COMMIT or ROLLBACK).
 */
enum db_status cron_repo_lock(struct db *db, struct arena *arena, long long key, bool *acquired);

/* Online devices whose last heartbeat (else last_seen_at, else created_at) is older than
 * timeout_seconds become offline, each with a status_changed device_events row; rows:
 * CRON_SILENT_COL_*. */
enum { CRON_SILENT_COL_ID, CRON_SILENT_COL_NAME, CRON_SILENT_COL_TYPE };
enum db_status cron_repo_mark_silent_offline(struct db *db, struct arena *arena, long timeout_seconds,
					     PGresult **out);

/* queued device_commands past expires_at → expired. */
enum db_status cron_repo_expire_commands(struct db *db, struct arena *arena, long long *changed);

/* Deletes refresh tokens that are expired, or revoked more than grace_seconds ago in a
 * family that has no live token left (see docs/maintenance.md). */
enum db_status cron_repo_delete_dead_refresh_tokens(struct db *db, struct arena *arena, long grace_seconds,
						    long long *changed);

/* Deletes device_events older than retention_days. */
enum db_status cron_repo_delete_old_device_events(struct db *db, struct arena *arena, long retention_days,
						  long long *changed);

/* OTA updates sent more than timeout_seconds ago → timeout, then pending ones sent while
 * fewer than max_parallel are out: every transition (rows of lib/ota.h). */
enum db_status cron_repo_ota_time_out(struct db *db, struct arena *arena, long timeout_seconds, long max_parallel,
				      PGresult **out);

/* Deletes automation runs (and their steps) started more than retention_days ago. */
enum db_status cron_repo_delete_old_automation_runs(struct db *db, struct arena *arena, long retention_days,
						    long long *changed);

#endif
