/*
 * handshake.h — how the station answers a device's handshake (SPEC §5).
 *
 * The shipped firmware factory-resets itself after repeated `unknown_device` answers,
 * so that answer is given only when the database positively said the device does not
 * exist. When the database could not be asked (down, erroring, the commit failed) the
 * station says nothing at all and the device simply retries. Pure: no I/O.
 */
#ifndef MQTTD_DOMAIN_HANDSHAKE_H
#define MQTTD_DOMAIN_HANDSHAKE_H

#include <stdbool.h>

#include "arena.h"

/* What looking the device up (and recording the handshake) came to. */
enum handshake_lookup {
	HANDSHAKE_FOUND,     /* the device exists and the handshake was committed */
	HANDSHAKE_NOT_FOUND, /* the database answered: no device with that external id */
	HANDSHAKE_FAILED,    /* no answer: unavailable, an error, a failed commit */
};

enum handshake_reply {
	HANDSHAKE_REPLY_OK,
	HANDSHAKE_REPLY_UNKNOWN,
	HANDSHAKE_REPLY_SILENT,
};

enum handshake_reply handshake_decide(enum handshake_lookup lookup);

/* The …/handshake/ack payload of a reply: {"status":"ok"} or {"status":"unknown_device"};
 * NULL for SILENT. */
const char *handshake_ack_payload(struct arena *arena, enum handshake_reply reply);

/* True when the type a device reports is the type it was registered with. */
bool handshake_type_matches(const char *registered, const char *reported);

#endif
