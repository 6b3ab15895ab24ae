/*
 * page_cursor.h — paging of the unbounded histories (SPEC §2): `?limit=` and
 * `?before=<cursor>` → {"items":[…],"nextCursor":…}, newest first by (created_at, id).
 * api-device-events and api-ota page this way.
 *
 * The cursor is the position of the last item shown, (created_at in epoch microseconds,
 * id), as base64url (no padding) of "<µs>:<id>", so the next page starts strictly after it
 * even when many rows share a timestamp. Clients treat it as opaque; only its exact form
 * is accepted back, and nothing from a malformed cursor ever reaches the database.
 */
#ifndef STATION_API_SHARED_PAGE_CURSOR_H
#define STATION_API_SHARED_PAGE_CURSOR_H

#include <stdbool.h>

#include "runtime.h"

/* SPEC §2: pages hold at most 500 items; events.page_limit may only lower that. */
#define PAGE_MAX 500
#define PAGE_DEFAULT 50

/* The largest page allowed with events.page_limit = configured (1 … PAGE_MAX). */
long page_max(long configured);

/* The cursor after an item: base64url of "<created_at in epoch µs>:<id>". */
char *page_cursor_encode(struct arena *arena, const char *created_us, const char *id);
/* True when cursor is one page_cursor_encode() could have made, for a time that
 * page_time_text() can write; then *created_us and *id (an arena string) are its parts. */
bool page_cursor_decode(struct arena *arena, const char *cursor, long long *created_us, const char **id);

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" for epoch microseconds — exact, what a statement's
 * timestamptz parameters take — or NULL outside the years 0001 to 9999. */
char *page_time_text(struct arena *arena, long long epoch_us);

/* Where a page starts and how long it is, as statement parameters (text). */
struct page_request {
	long limit;             /* items shown */
	const char *fetch;      /* limit + 1: one more row says whether a next page exists */
	const char *before;     /* created_at of the last item seen (NULL: the first page)… */
	const char *before_id;  /* …and its id */
};

/* Reads ?limit (default 50, at most events.page_limit and PAGE_MAX) and ?before. 0, or
 * the status replied: 400 "limit: …" or "before: invalid cursor". */
int page_request_or_reply(struct request *req, struct page_request *page);

/* Answers the page: the first page->limit rows of res; nextCursor from the last one shown
 * (its created_at µs in column cursor_col, its id in id_col) when res has one row more. */
int reply_paged(struct request *req, const PGresult *res, const struct page_request *page,
		const struct db_column *map, int cursor_col, int id_col);

#endif
