/*
 * jobs.c — what each maintenance job of station-cron does (SPEC §9), and the table that
 * names them.
 *
 * Each job runs inside a transaction that station-cron has opened and locked for it, so
 * a job is only its rule: read its limit from the configuration, run its statement
 * (repo.c), announce what must be announced, report how many rows it changed. A job is
 * idempotent — its statement selects only what still needs doing — and never commits,
 * rolls back, sleeps or exits by itself. Push payloads are written here with the JSON
 * writer, never in SQL.
 */
#include "jobs.h"

#include <string.h>

#include "config.h"
#include "json_writer.h"
#include "notify.h"
#include "ota.h"
#include "repo.h"
#include "timeutil.h"

/* Advisory lock keys: "STCR" (station-cron) in the high bits, the job's number below.
 * Numbers are never reused, so a renamed or removed job cannot collide with a new one. */
#define CRON_LOCK_KEY(n) ((0x53544352LL << 16) | (n))

/* SPEC §4 ota: an update sent this long ago without an answer is a timeout. */
#define OTA_TIMEOUT_SECONDS 600

/* Revoked refresh tokens of dead sessions are kept this long (for support questions). */
#define REFRESH_REVOKED_GRACE_SECONDS 86400

/* The message, with or without the device's name; NULL when it does not fit a NOTIFY. */
static const char *status_changed(struct arena *arena, const char *device_id, const char *device_name,
				  const char *device_type, const char *status, long long now_ms, bool truncated)
{
	struct station_event ev;
	struct jw *w = station_event_begin(&ev, arena, "device.statusChanged");
	jw_member_string(w, "deviceId", device_id);
	jw_member_string(w, "deviceName", truncated ? NULL : device_name);
	jw_member_string(w, "deviceType", device_type);
	jw_member_string(w, "status", status);
	return station_event_end(&ev, arena, now_ms, truncated);
}

const char *cron_status_changed_payload(struct arena *arena, const char *device_id, const char *device_name,
					const char *device_type, const char *status, long long now_ms)
{
	const char *payload = status_changed(arena, device_id, device_name, device_type, status, now_ms, false);
	return payload ? payload : status_changed(arena, device_id, device_name, device_type, status, now_ms, true);
}

/* heartbeat-timeout: online devices silent for mqtt.heartbeat_timeout seconds → offline,
 * with a status_changed event and a device.statusChanged push each. */
static enum db_status heartbeat_timeout(struct db *db, struct arena *arena, long long *changed)
{
	PGresult *res;
	enum db_status st = cron_repo_mark_silent_offline(db, arena, cfg_int("mqtt.heartbeat_timeout"),
							  &res);
	if (st != DB_OK)
		return st;
	long long now_ms = time_now_ms();
	int rows = PQntuples(res);
	for (int row = 0; row < rows; row++) {
		const char *payload = cron_status_changed_payload(
			arena, db_value(res, row, CRON_SILENT_COL_ID), db_value(res, row, CRON_SILENT_COL_NAME),
			db_value(res, row, CRON_SILENT_COL_TYPE), "offline", now_ms);
		if ((st = notify_send(db, arena, "station_events", payload)) != DB_OK)
			return st;
	}
	*changed = rows;
	return DB_OK;
}

/* ota-timeout: OTA updates sent OTA_TIMEOUT_SECONDS ago without an answer → timeout (the
 * device's log and a push each); slots they free go to pending updates (ota.max_parallel).
 * Counts the timeouts. */
static enum db_status ota_timeout(struct db *db, struct arena *arena, long long *changed)
{
	PGresult *res;
	enum db_status st = cron_repo_ota_time_out(db, arena, OTA_TIMEOUT_SECONDS, cfg_int("ota.max_parallel"), &res);
	if (st != DB_OK)
		return st;
	long long now_ms = time_now_ms();
	*changed = 0;
	for (int row = 0; row < PQntuples(res); row++) {
		const char *payload = ota_progress_payload(arena, res, row, now_ms);
		if (payload && (st = notify_send(db, arena, "station_events", payload)) != DB_OK)
			return st;
		*changed += strcmp(db_value(res, row, OTA_PROGRESS_COL_STATUS), "timeout") == 0;
	}
	return DB_OK;
}

/* command-expiry: queued commands past expiresAt → expired (mqttd never sends those). */
static enum db_status command_expiry(struct db *db, struct arena *arena, long long *changed)
{
	return cron_repo_expire_commands(db, arena, changed);
}

/* refresh-token-cleanup: expired tokens, and revoked ones of sessions that are over. */
static enum db_status refresh_token_cleanup(struct db *db, struct arena *arena, long long *changed)
{
	return cron_repo_delete_dead_refresh_tokens(db, arena, REFRESH_REVOKED_GRACE_SECONDS, changed);
}

/* device-events-cleanup: events older than events.retention_days. */
static enum db_status device_events_cleanup(struct db *db, struct arena *arena, long long *changed)
{
	return cron_repo_delete_old_device_events(db, arena, cfg_int("events.retention_days"), changed);
}

/* automation-runs-cleanup: runs started more than automations.run_retention_days ago. */
static enum db_status automation_runs_cleanup(struct db *db, struct arena *arena, long long *changed)
{
	return cron_repo_delete_old_automation_runs(db, arena, cfg_int("automations.run_retention_days"), changed);
}

const struct cron_job cron_jobs[] = {
	{ "heartbeat-timeout", "every minute", CRON_LOCK_KEY(1),
	  "online devices without a heartbeat for mqtt.heartbeat_timeout seconds -> offline (+ event, push)",
	  "devices marked offline", heartbeat_timeout },
	{ "command-expiry", "every minute", CRON_LOCK_KEY(2),
	  "queued device commands past their expiresAt -> expired",
	  "commands expired", command_expiry },
	{ "refresh-token-cleanup", "daily", CRON_LOCK_KEY(3),
	  "delete expired refresh tokens and those of sessions revoked more than a day ago",
	  "refresh tokens deleted", refresh_token_cleanup },
	{ "device-events-cleanup", "daily", CRON_LOCK_KEY(4),
	  "delete device events older than events.retention_days",
	  "device events deleted", device_events_cleanup },
	{ "ota-timeout", "every minute", CRON_LOCK_KEY(5),
	  "OTA updates sent 10 minutes ago without an answer -> timeout (+ event, push); then the next pending ones",
	  "ota updates timed out", ota_timeout },
	{ "automation-runs-cleanup", "daily", CRON_LOCK_KEY(6),
	  "delete automation runs (and their steps) older than automations.run_retention_days",
	  "automation runs deleted", automation_runs_cleanup },
	{ 0 },
};

const struct cron_job *cron_job_find(const char *name)
{
	for (const struct cron_job *job = cron_jobs; name && job->name; job++)
		if (strcmp(job->name, name) == 0)
			return job;
	return NULL;
}

void cron_jobs_print(FILE *out)
{
	for (const struct cron_job *job = cron_jobs; job->name; job++)
		fprintf(out, "  %-24s %-13s %s\n", job->name, job->schedule, job->summary);
}
