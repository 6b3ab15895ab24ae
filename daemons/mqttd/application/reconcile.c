/*
 * reconcile.c — at start, online devices that have been silent too long go offline.
 *
 * While mqttd was stopped nobody heard Last Wills, so the database may still call
 * online a device that went away. Devices online whose last heartbeat (or, without
 * one, last message, or without any, registration) is older than
 * mqtt.heartbeat_timeout become offline — the rule of station-cron heartbeat-timeout
 * (docs/maintenance.md) — each with a
 * status_changed event (reason heartbeat_timeout) and a device.statusChanged push, in
 * one transaction. Afterwards `station-cron heartbeat-timeout` keeps doing the same
 * every minute (SPEC §9). A failure is logged and start-up goes on; it never stops the
 * daemon from starting.
 */
#include <stdio.h>

#include "application/journal.h"
#include "application/mqttd.h"
#include "infrastructure/repo.h"
#include "log.h"
#include "timeutil.h"

void reconcile_heartbeats(struct mqttd *m)
{
	if (!mqttd_db_ready(m, true)) {
		log_warn("heartbeat reconciliation skipped: database unavailable");
		return;
	}
	struct arena *a = m->batch_arena;
	long long now_ms = time_now_ms();
	PGresult *res = NULL;
	enum db_status st = db_begin(m->db, a);
	if (st == DB_OK)
		st = repo_devices_time_out(m->db, a, m->cfg.heartbeat_timeout_s, &res);
	int n = st == DB_OK ? PQntuples(res) : 0;
	if (st == DB_OK) {
		struct journal j;
		journal_init(&j, a);
		for (int row = 0; row < n; row++) {
			struct device_snapshot dev = {
				.id = db_value(res, row, TIMED_OUT_COL_ID),
				.name = db_value(res, row, TIMED_OUT_COL_NAME),
				.type = db_value(res, row, TIMED_OUT_COL_TYPE),
				.status = "online",
			};
			struct device_fact fact;
			if (device_status_fact(dev.status, "offline", "heartbeat_timeout", 0, &fact))
				journal_fact(&j, &dev, &fact, now_ms);
		}
		st = journal_commit(&j, m->db);
	} else if (db_in_transaction(m->db)) {
		db_rollback(m->db, a);
	}
	if (st == DB_OK) {
		char count[24], timeout[24];
		snprintf(count, sizeof count, "%d", n);
		snprintf(timeout, sizeof timeout, "%ld", m->cfg.heartbeat_timeout_s);
		log_fields(n ? LOG_INFO : LOG_DEBUG, "heartbeat reconciliation done", "devicesOffline", count,
			   "timeoutSeconds", timeout, NULL);
	} else {
		log_fields(LOG_ERROR, "heartbeat reconciliation failed", "reason", db_last_error(m->db), NULL);
		mqttd_db_failed(m, st);
	}
	arena_reset(a);
}
