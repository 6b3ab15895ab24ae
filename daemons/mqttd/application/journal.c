/*
 * journal.c — device_events rows and station_events payloads of one transaction
 * (see journal.h). Must never send a NOTIFY of 8000 bytes or more: every payload
 * comes from domain/announce.c, which refuses those. An event_received row and its
 * notification carry the event's action, by which the statements apply the device's
 * event settings (infrastructure/repo.c); nothing here decides them.
 */
#include "application/journal.h"

#include "domain/announce.h"
#include "infrastructure/repo.h"
#include "json_reader.h"
#include "log.h"
#include "timeutil.h"

void journal_init(struct journal *j, struct arena *arena)
{
	j->arena = arena;
	buf_init(&j->rows, arena);
	jw_init(&j->rows_w, &j->rows);
	jw_array_begin(&j->rows_w);
	j->nrows = 0;
	buf_init(&j->notes, arena);
	jw_init(&j->notes_w, &j->notes);
	jw_array_begin(&j->notes_w);
	j->nnotes = 0;
}

void journal_event(struct journal *j, const char *device_id, const char *kind, const char *action,
		   const char *data_json, long long at_us)
{
	struct jw *w = &j->rows_w;
	jw_object_begin(w);
	jw_member_string(w, "device_id", device_id);
	jw_member_string(w, "kind", kind);
	jw_member_string(w, "action", action);
	jw_member_raw(w, "data", data_json ? data_json : "{}");
	if (at_us > 0) /* microseconds keep the order of rows written together */
		jw_member_string(w, "created_at", time_rfc3339_us(j->arena, at_us));
	jw_object_end(w);
	j->nrows++;
}

/* A notification; event_action names the event whose `notify` setting decides whether it
 * is sent (NULL: always sent). */
static void journal_note(struct journal *j, const char *payload, const char *type, const char *device_id,
			 const char *event_action)
{
	if (!payload) {
		log_fields(LOG_WARN, "announcement too large for a notification; skipped", "type", type, "deviceId",
			   device_id, NULL);
		return;
	}
	struct jw *w = &j->notes_w;
	jw_object_begin(w);
	jw_member_string(w, "payload", payload);
	jw_member_string(w, "device_id", device_id);
	if (event_action)
		jw_member_string(w, "event_action", event_action);
	jw_object_end(w);
	j->nnotes++;
}

void journal_announce(struct journal *j, const char *payload, const char *type, const char *device_id)
{
	journal_note(j, payload, type, device_id, NULL);
}

void journal_fact(struct journal *j, const struct device_snapshot *dev, const struct device_fact *fact,
		  long long now_ms)
{
	/* A fact's push carries the time its message arrived (strictly increasing), not the
	 * batch's: two equal facts of one batch (a button pressed twice, on → off → on) are
	 * then two different notifications, which PostgreSQL would otherwise fold into one. */
	long long at_ms = fact->at_us > 0 ? fact->at_us / 1000 : now_ms;
	switch (fact->kind) {
	case DEVICE_FACT_STATUS_CHANGED:
		journal_event(j, dev->id, "status_changed", fact->status,
			      event_data_status(j->arena, fact->status, fact->previous_status, fact->reason), fact->at_us);
		journal_announce(j, announce_status_changed(j->arena, dev->id, dev->name, dev->type, fact->status, at_ms),
				 "device.statusChanged", dev->id);
		break;
	case DEVICE_FACT_STATE_TRANSITION:
		journal_event(j, dev->id, "state_transition", fact->key,
			      event_data_transition(j->arena, fact->old_value, fact->new_value), fact->at_us);
		journal_announce(j,
				 announce_state_transition(j->arena, dev->id, fact->key, fact->old_value, fact->new_value,
							   at_ms),
				 "device.stateTransition", dev->id);
		break;
	case DEVICE_FACT_EVENT_RECEIVED:
		journal_event(j, dev->id, "event_received", fact->action, json_text(j->arena, fact->payload),
			      fact->at_us);
		journal_note(j,
			     announce_event_received(j->arena, dev->id, dev->name, dev->type, fact->event, fact->data,
						     at_ms),
			     "device.eventReceived", dev->id, fact->action);
		break;
	}
}

/* The rows, then the notifications. */
static enum db_status journal_write(struct journal *j, struct db *db)
{
	jw_array_end(&j->rows_w);
	jw_array_end(&j->notes_w);
	enum db_status st = DB_OK;
	if (j->nrows)
		st = repo_events_insert(db, j->arena, j->rows.data);
	if (st == DB_OK && j->nnotes)
		st = repo_announce(db, j->arena, j->notes.data);
	return st;
}

enum db_status journal_commit(struct journal *j, struct db *db)
{
	enum db_status st = journal_write(j, db);
	if (st != DB_OK) {
		db_rollback(db, j->arena);
		return st;
	}
	return db_commit(db, j->arena);
}
