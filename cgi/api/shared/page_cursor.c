/*
 * page_cursor.c — the paging cursor and the page request (see page_cursor.h).
 * No SQL here; a cursor that passes page_cursor_decode() is valid statement input.
 */
#include "page_cursor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "timeutil.h"
#include "uuid.h"

/* "<µs>:<uuid>": at most 20 characters of number, 1 colon, 36 of UUID. */
#define CURSOR_TEXT_MAX (20 + 1 + 36)

char *page_cursor_encode(struct arena *arena, const char *time_us, const char *id)
{
	char *text = arena_printf(arena, "%s:%s", time_us, id);
	return base64url_encode(arena, text, strlen(text));
}

/* Decodes unpadded base64url into out (cap bytes, NUL-terminated); -1 if invalid. */
static int base64url_decode_text(const char *s, char *out, size_t cap)
{
	long n = base64url_decode(s, strlen(s), out, cap - 1);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return memchr(out, '\0', (size_t)n) ? -1 : 0; /* no NUL inside the text */
}

bool page_cursor_decode(struct arena *arena, const char *cursor, long long *time_us, const char **id)
{
	char text[CURSOR_TEXT_MAX + 1];
	if (!cursor || base64url_decode_text(cursor, text, sizeof text) != 0)
		return false;
	char *colon = strchr(text, ':');
	if (!colon)
		return false;
	*colon = '\0';
	const char *us_text = text, *uuid = colon + 1;
	if (!uuid_is_valid(uuid) || strpbrk(uuid, "ABCDEF"))
		return false;
	const char *digits = us_text[0] == '-' ? us_text + 1 : us_text;
	if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits))
		return false;
	errno = 0;
	long long us = strtoll(us_text, NULL, 10);
	if (errno || !page_time_text(arena, us))
		return false;
	/* Only the exact form page_cursor_encode() makes: no leading zeros or "-0" (the
	 * number printed back must be the same text), no stray bits in the last digit. */
	char *canonical_us = arena_printf(arena, "%lld", us);
	if (strcmp(canonical_us, us_text) != 0 || strcmp(page_cursor_encode(arena, canonical_us, uuid), cursor) != 0)
		return false;
	*time_us = us;
	*id = arena_strdup(arena, uuid);
	return true;
}

char *page_time_text(struct arena *arena, long long epoch_us)
{
	return time_rfc3339_us(arena, epoch_us);
}

int page_or_reply(struct request *req, long max, long fallback, struct page *page)
{
	memset(page, 0, sizeof *page);
	const char *limit_text = req_query(req, "limit");
	page->limit = limit_text ? atol(limit_text) : (fallback < max ? fallback : max);
	if (page->limit < 1 || page->limit > max)
		return reply_error(req, 400, "limit: must be an integer between 1 and %ld", max);
	page->fetch = arena_printf(req->arena, "%ld", page->limit + 1);

	const char *before = req_query(req, "before");
	long long before_us = 0;
	if (before && !page_cursor_decode(req->arena, before, &before_us, &page->before_id))
		return reply_error(req, 400, "before: invalid cursor");
	page->before = before ? page_time_text(req->arena, before_us) : NULL;
	return 0;
}

const char *page_next_cursor(struct request *req, const PGresult *res, long limit, int col_us, int col_id)
{
	if (!res || PQntuples(res) <= limit)
		return NULL;
	return page_cursor_encode(req->arena, db_value(res, (int)limit - 1, col_us), db_value(res, (int)limit - 1, col_id));
}
