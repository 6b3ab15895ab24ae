/*
 * repo.h — every SQL statement of station-mqttd.
 *
 * The only place mqttd speaks SQL. Every statement is fixed text with parameters; sets
 * of rows travel as one jsonb parameter built by the JSON writer in C (unpacked with
 * jsonb_to_recordset / jsonb_array_elements_text), so a batch of a hundred devices is a
 * handful of round trips, and no SQL is ever assembled from input. Result columns are
 * named by the enums below; change a SELECT and its enum together. No function here
 * begins or ends a transaction: the use case does.
 */
#ifndef MQTTD_REPO_H
#define MQTTD_REPO_H

#include "db.h"

/* SELECT id FROM station: *station_id is NULL when there is no row. */
enum db_status repo_station_id(struct db *db, struct arena *arena, const char **station_id);

/* The channels mqttd LISTENs on (device_commands), on every connection its db_link makes. */
extern const char *const repo_listen_channels[];

/* Records a handshake on the device with that external id and marks it online; no row
 * when there is no such device. kit_tag NULL clears it. */
enum handshake_col { HANDSHAKE_COL_ID, HANDSHAKE_COL_NAME, HANDSHAKE_COL_TYPE, HANDSHAKE_COL_PREVIOUS_STATUS };
enum db_status repo_handshake(struct db *db, struct arena *arena, const char *external_id, const char *firmware_version,
			      const char *chip, const char *kit_tag, PGresult **out);

/* Auto-apply (SPEC §4 kits; kit_auto_apply() of 016_automations_rest.sql): makes the kits
 * that the devices carrying kit_tag now fill; one row per kit made (its id). */
enum db_status repo_kit_auto_apply(struct db *db, struct arena *arena, const char *kit_tag, PGresult **out);

/* Locks the devices named in a JSON array of external ids, with their type's capabilities. */
enum device_col {
	DEVICE_COL_ID,
	DEVICE_COL_EXTERNAL_ID,
	DEVICE_COL_NAME,
	DEVICE_COL_TYPE,
	DEVICE_COL_STATUS,
	DEVICE_COL_STATE,
	DEVICE_COL_CAPABILITIES,
};
enum db_status repo_devices_lock(struct db *db, struct arena *arena, const char *external_ids_json, PGresult **out);

/* Writes devices from [{"id","state"?,"status","last_seen_at"?,"last_heartbeat_at"?}]:
 * state replaces the stored one when given; the times only ever move forward. */
enum db_status repo_devices_update(struct db *db, struct arena *arena, const char *rows_json);

/* Inserts device_events from [{"device_id","kind","action","data","created_at"}], except
 * the event_received rows of events the device's settings say not to record. */
enum db_status repo_events_insert(struct db *db, struct arena *arena, const char *rows_json);

/* pg_notify('station_events', payload) for every [{"payload","device_id"?,"event_action"?}],
 * in order, except those with an event_action the device's settings say not to push. */
enum db_status repo_announce(struct db *db, struct arena *arena, const char *payloads_json);

/* Marks offline the online devices silent for longer than timeout_s. */
enum timed_out_col { TIMED_OUT_COL_ID, TIMED_OUT_COL_NAME, TIMED_OUT_COL_TYPE, TIMED_OUT_COL_SEEN_AT };
enum db_status repo_devices_time_out(struct db *db, struct arena *arena, long timeout_s, PGresult **out);

/* Queued, unexpired commands of online devices that have been heard from, oldest first,
 * except the ids of a JSON array. */
enum command_col { COMMAND_COL_ID, COMMAND_COL_DEVICE_ID, COMMAND_COL_EXTERNAL_ID, COMMAND_COL_ACTION, COMMAND_COL_PARAMS };
enum db_status repo_commands_due(struct db *db, struct arena *arena, const char *exclude_json, long limit,
				 PGresult **out);

/* Marks commands sent from [{"id","sent_at"}]; returns those it changed (same columns as
 * repo_commands_due, external id NULL). */
enum db_status repo_commands_mark_sent(struct db *db, struct arena *arena, const char *rows_json, PGresult **out);

#endif
