/*
 * service.h — rules of the device-events module (api-device-events): how a feed request
 * becomes a filter (page size, time window, cursor), the opaque paging cursor, and which
 * event settings a device may have. Nothing here touches the database: a filter that
 * leaves this file is valid SQL input.
 */
#ifndef STATION_API_DEVICE_EVENTS_SERVICE_H
#define STATION_API_DEVICE_EVENTS_SERVICE_H

#include <stdbool.h>

#include "api/shared/page_cursor.h"
#include "repo.h"
#include "runtime.h"

/* SPEC §2: pages hold at most 500 items; events.page_limit may only lower that. */
#define EVENTS_PAGE_MAX PAGE_MAX
#define EVENTS_PAGE_DEFAULT PAGE_DEFAULT

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
 * The first entry of settings ([{action,record,notify}], schema-checked) whose action is
 * not one of type_events (the device type's registry `events`, a JSON array of names),
 * as the message "events[1].action: not an event of light"; NULL when all are.
 */
const char *event_settings_problem(struct arena *arena, const char *type, struct json_object *type_events,
				   struct json_object *settings);
/* PUT /api/device-events/settings/:deviceId: 0 when every action of the body's `events`
 * belongs to the device's type (device: a row of event_settings_device), else 400. */
int event_settings_or_reply(struct request *req, const PGresult *device);

#endif
