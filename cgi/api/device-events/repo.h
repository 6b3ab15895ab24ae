/*
 * repo.h — SQL of the device-events module (api-device-events): one page of the feed of
 * what happened to devices, newest first.
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

#endif
