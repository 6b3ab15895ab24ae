/*
 * page_cursor.h — keyset paging of unbounded histories (SPEC §2): `?limit=` and
 * `?before=<cursor>` → {"items":[…],"nextCursor":…}, for every module that pages
 * (device-events, automation runs).
 *
 * Pages are ordered newest first by (time, id). The cursor is the position of the last
 * item shown: base64url (no padding) of "<time in epoch µs>:<id>", so the next page starts
 * strictly after it even when many items share a timestamp. Clients treat it as opaque;
 * only its exact form is accepted back, and nothing from a malformed cursor ever reaches
 * the database. A statement that pages selects its time as epoch µs (bigint) beside the id.
 */
#ifndef STATION_API_SHARED_PAGE_CURSOR_H
#define STATION_API_SHARED_PAGE_CURSOR_H

#include <stdbool.h>

#include "runtime.h"

/* SPEC §2: pages hold 50 items unless asked, at most 500. */
#define PAGE_MAX 500
#define PAGE_DEFAULT 50

/* The query fields of a paged route: ?limit (1 … PAGE_MAX) and ?before (opaque; its shape
 * is checked by page_cursor_decode, "before: invalid cursor"). */
#define PAGE_QUERY_FIELDS                                                \
	{ "limit", FIELD_INT, .min = BOUND(1), .max = BOUND(PAGE_MAX) }, \
	{ "before", FIELD_STRING, .max = BOUND(1024) }

/* What a page request asks, as statement parameters. */
struct page {
	long limit;             /* items in the page */
	const char *fetch;      /* rows to fetch: limit + 1, to know whether a next page exists */
	const char *before;     /* the cursor's time (page_time_text) or NULL: the first page */
	const char *before_id;  /* the cursor's id, or NULL */
};

/*
 * Reads the validated ?limit and ?before of the request into *page: limit between 1 and
 * max (fallback when absent). 0, or the status replied: 400 "limit: must be an integer
 * between 1 and <max>" or "before: invalid cursor".
 */
int page_or_reply(struct request *req, long max, long fallback, struct page *page);

/* The nextCursor of a page fetched with page->fetch rows: made from row limit-1's columns
 * col_us (epoch µs) and col_id when there are more rows than the page holds, else NULL. */
const char *page_next_cursor(struct request *req, const PGresult *res, long limit, int col_us, int col_id);

char *page_cursor_encode(struct arena *arena, const char *time_us, const char *id);
/* True when cursor is one page_cursor_encode() could have made, for a time that
 * page_time_text() can write; then *time_us and *id (an arena string) are its parts. */
bool page_cursor_decode(struct arena *arena, const char *cursor, long long *time_us, const char **id);

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" for epoch microseconds — exact, what timestamptz
 * parameters take — or NULL outside the years 0001 to 9999. */
char *page_time_text(struct arena *arena, long long epoch_us);

#endif
