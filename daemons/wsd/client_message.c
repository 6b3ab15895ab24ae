/*
 * client_message.c — reading a browser's text message on /ws (see client_message.h).
 *
 * The only message with a meaning is {"type":"ping"}; everything else, JSON or not, is
 * ignored without a reply or a log line (a client cannot make wsd log at will).
 */
#include "client_message.h"

#include <string.h>

#include "json_reader.h"

bool client_message_is_ping(struct arena *arena, const char *data, size_t len)
{
	const char *error = NULL;
	struct json_object *msg = json_parse(arena, data, len, CLIENT_MESSAGE_MAX_DEPTH, &error);
	const char *type = msg ? json_get_string(msg, "type") : NULL;
	return type && strcmp(type, "ping") == 0;
}
