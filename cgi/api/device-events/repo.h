/*
 * repo.h — SQL of the device-events module (api-device-events): one page of the feed of
 * what happened to devices, newest first; the event settings of devices and the presets
 * of device types (which events are recorded and pushed).
 *
 * Statements run with db_run(). Nothing here replies, decides rules or builds SQL from
 * input.
 */
#ifndef STATION_API_DEVICE_EVENTS_REPO_H
#define STATION_API_DEVICE_EVENTS_REPO_H

#include "statement.h"

/* An item of the feed: {id,deviceId,deviceName,deviceType,kind,action,data,createdAt}. */
extern const struct db_column device_event_columns[];
/* Columns of a page row; EVENT_COL_CURSOR_US (after the map) is created_at in epoch
 * microseconds, exact, for the paging cursor. */
enum { EVENT_COL_ID, EVENT_COL_DEVICE_ID, EVENT_COL_DEVICE_NAME, EVENT_COL_DEVICE_TYPE, EVENT_COL_KIND,
       EVENT_COL_ACTION, EVENT_COL_DATA, EVENT_COL_CREATED_AT, EVENT_COL_CURSOR_US };

/* Every member is text for the statement's parameters; NULL leaves that filter out.
 * Times are "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (event_time_text), exact to the microsecond. */
struct event_filter {
	const char *device_id;  /* a UUID */
	const char *kind;
	const char *since;      /* created_at >= since */
	const char *until;      /* created_at < until */
	const char *before;     /* cursor: created_at of the last item seen… */
	const char *before_id;  /* …and its id: rows strictly after it in (created_at, id) DESC */
	const char *fetch;      /* rows to return at most (the page size + 1) */
};

/* The members of an event_filter, in order: rows ordered by (created_at DESC, id DESC),
 * joined with their device. */
STATEMENT_DECLARE(device_events_page, 7);

/* A device's setting for one event of its type:
 * {deviceId,deviceName,deviceType,action,record,notify,custom} (custom: the device's own
 * setting decided, not the type's preset). */
extern const struct db_column event_setting_columns[];
/* $1 device id or NULL for every device → every event of each device's type with the
 * setting in force (event_setting_columns), by device name, then in registry order. */
STATEMENT_DECLARE(event_settings_list, 1);
/* $1 device id → its type and the type's events (jsonb array of names), the device row
 * locked against a concurrent delete; no row when there is no such device. */
enum { DEVICE_EVENTS_COL_TYPE, DEVICE_EVENTS_COL_EVENTS };
STATEMENT_DECLARE(event_settings_device, 1);
/* $1 device id: forgets the device's own settings (its type's presets apply again). */
STATEMENT_DECLARE(event_settings_clear, 1);
/* $1 device id, $2 jsonb [{"action","record","notify"}]: the device's own settings. */
STATEMENT_DECLARE(event_settings_insert, 2);

/* The default of one event of a device type: {deviceType,action,record,notify}. */
extern const struct db_column event_preset_columns[];
/* Every registered type's events with their defaults, by type id, then registry order. */
STATEMENT_DECLARE(event_presets_list, 0);

#endif
