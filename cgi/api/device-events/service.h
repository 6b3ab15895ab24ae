/*
 * service.h — rules of the device-events module (api-device-events): how a feed request
 * becomes a filter (page size, time window, cursor), and the opaque paging cursor.
 * Nothing here touches the database: a filter that leaves this file is valid SQL input.
 */
#ifndef STATION_API_DEVICE_EVENTS_SERVICE_H
#define STATION_API_DEVICE_EVENTS_SERVICE_H

#include <stdbool.h>

#include "repo.h"
#include "runtime.h"

/* SPEC §2: pages hold at most 500 items; events.page_limit may only lower that. */
#define EVENTS_PAGE_MAX 500
#define EVENTS_PAGE_DEFAULT 50

/* The largest page allowed with events.page_limit = configured (1 … EVENTS_PAGE_MAX). */
long event_page_max(long configured);

/*
 * Reads the validated query of GET /api/device-events into *filter and the page size
 * into *limit (filter->fetch is one more, to know whether a next page exists).
 * Returns 0, or the status it replied: 400 for a limit above events.page_limit, an
 * `until` earlier than `since`, or a cursor this module did not make.
 */
int event_filter_or_reply(struct request *req, struct event_filter *filter, long *limit);

/*
 * The cursor after an item: base64url (no padding) of "<created_at in epoch µs>:<id>".
 * Clients treat it as opaque; only its exact form is accepted back.
 */
char *event_cursor_encode(struct arena *arena, const char *created_us, const char *id);
/* True when cursor is one event_cursor_encode() could have made, for a time that
 * event_time_text() can write; then *created_us and *id (an arena string) are its parts. */
bool event_cursor_decode(struct arena *arena, const char *cursor, long long *created_us, const char **id);

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" for epoch microseconds — exact, what the statement's
 * timestamptz parameters take — or NULL outside the years 0001 to 9999. */
char *event_time_text(struct arena *arena, long long epoch_us);

#endif
