/*
 * client_message.h — what a browser may say on /ws once admitted (SPEC §6): {"type":"ping"},
 * answered {"type":"pong"}; any other text is ignored. The text is untrusted bytes of at
 * most WSD_RX_MAX, read as JSON with a depth limit.
 *
 * Pure code over libstation (no libwebsockets): session.c asks it for every complete text
 * message, and tools/fuzz/fuzz_ws_message.c feeds it arbitrary bytes.
 */
#ifndef WSD_CLIENT_MESSAGE_H
#define WSD_CLIENT_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* The deepest JSON a client message may nest; deeper is ignored like any other text. */
#define CLIENT_MESSAGE_MAX_DEPTH 8

/* True when data[0..len) is a JSON object whose "type" is the string "ping". What it
 * allocates is the arena's; it keeps no pointer into it. */
bool client_message_is_ping(struct arena *arena, const char *data, size_t len);

#endif
