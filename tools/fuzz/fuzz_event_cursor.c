/*
 * fuzz_event_cursor.c — the paging cursor of GET /api/device-events (?before=), which
 * page_cursor_decode (cgi/api/shared/page_cursor.c) must refuse unless this module
 * could have made it: nothing from a malformed cursor may reach the database.
 *
 * Invariants: a cursor that decodes re-encodes to exactly the same text, its id is a
 * lower-case UUID and its time one page_time_text() can write.
 */
#include "fuzz.h"
#include "service.h"
#include "uuid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const char *cursor = fuzz_text(a, data, size);
	long long us = 0;
	const char *id = NULL;
	if (page_cursor_decode(a, cursor, &us, &id)) {
		FUZZ_CHECK(id && uuid_is_valid(id) && !strpbrk(id, "ABCDEF"));
		FUZZ_CHECK(page_time_text(a, us) != NULL);
		FUZZ_CHECK(strcmp(page_cursor_encode(a, arena_printf(a, "%lld", us), id), cursor) == 0);
	}
	arena_destroy(a);
	return 0;
}
