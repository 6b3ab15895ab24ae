/*
 * handshake.c — the handshake decision and its ack payload (see handshake.h).
 *
 * Must never map anything but HANDSHAKE_NOT_FOUND to unknown_device. No I/O.
 */
#include "domain/handshake.h"

#include <string.h>

#include "json_writer.h"

enum handshake_reply handshake_decide(enum handshake_lookup lookup)
{
	switch (lookup) {
	case HANDSHAKE_FOUND:
		return HANDSHAKE_REPLY_OK;
	case HANDSHAKE_NOT_FOUND:
		return HANDSHAKE_REPLY_UNKNOWN;
	case HANDSHAKE_FAILED:
	default:
		return HANDSHAKE_REPLY_SILENT;
	}
}

const char *handshake_ack_payload(struct arena *arena, enum handshake_reply reply)
{
	const char *status = reply == HANDSHAKE_REPLY_OK ? "ok" : reply == HANDSHAKE_REPLY_UNKNOWN ? "unknown_device" : NULL;
	if (!status)
		return NULL;
	struct jw_text text;
	jw_object_of_strings(jw_text_begin(&text, arena), "status", status, NULL);
	return text.b.data;
}

bool handshake_type_matches(const char *registered, const char *reported)
{
	return registered && reported && strcmp(registered, reported) == 0;
}
