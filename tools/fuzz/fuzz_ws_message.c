/*
 * fuzz_ws_message.c — a browser's text message on /ws as station-wsd reads it
 * (daemons/wsd/client_message.c): bytes of at most WSD_RX_MAX, of which only
 * {"type":"ping"} means anything.
 *
 * Invariants: the answer does not depend on the arena's earlier contents (asked twice on
 * one arena, with a reset between, as wsd does per event); a message that is a ping
 * mentions "ping".
 */
#define _GNU_SOURCE /* memmem */
#include "client_message.h"
#include "fuzz.h"
#include "wsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > WSD_RX_MAX)
		return 0;
	struct arena *a = arena_new();
	bool ping = client_message_is_ping(a, (const char *)data, size);
	arena_reset(a);
	FUZZ_CHECK(client_message_is_ping(a, (const char *)data, size) == ping);
	FUZZ_CHECK(!ping || memmem(data, size, "ping", 4) || memmem(data, size, "\\u", 2));
	arena_destroy(a);
	return 0;
}
