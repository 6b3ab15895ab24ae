/*
 * journal.h — what one transaction records and announces.
 *
 * A use case collects device_events rows and station_events payloads here while it
 * works, then journal_commit() sends each set as one statement, inside the caller's
 * transaction, and ends it: a listener hears of exactly what was committed, and a batch
 * of a hundred devices costs two statements, not two hundred. Rows and payloads are JSON
 * built with lib/json_writer; no SQL here. The caller begins the transaction; every use
 * case ends it the same way, here.
 */
#ifndef MQTTD_JOURNAL_H
#define MQTTD_JOURNAL_H

#include <stddef.h>

#include "arena.h"
#include "db.h"
#include "domain/device_apply.h"
#include "json_writer.h"

struct journal {
	struct arena *arena;
	struct buf rows;
	struct jw rows_w;
	size_t nrows;
	struct buf notes;
	struct jw notes_w;
	size_t nnotes;
};

void journal_init(struct journal *j, struct arena *arena);
/* A device_events row; at_us 0 means the transaction's now(). */
void journal_event(struct journal *j, const char *device_id, const char *kind, const char *action,
		   const char *data_json, long long at_us);
/* A station_events payload; NULL (it did not fit a NOTIFY) is logged and skipped. */
void journal_announce(struct journal *j, const char *payload, const char *type, const char *device_id);
/* The row and the announcement of a fact about a device. Those of an event_received
 * are kept or dropped by the device's event settings (record, notify) when they are
 * written: the statements join the settings (infrastructure/repo.c). */
void journal_fact(struct journal *j, const struct device_snapshot *dev, const struct device_fact *fact,
		  long long now_ms);
/* Inserts the rows, sends the notifications, then ends the caller's transaction: commits
 * it when both were written, else rolls it back. Either way no transaction is open
 * afterwards. */
enum db_status journal_commit(struct journal *j, struct db *db);

#endif
