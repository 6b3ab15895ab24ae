/*
 * command.c — building a command's payload (see command.h). No I/O.
 */
#include "domain/command.h"

#include <string.h>

#include "json_reader.h"
#include "json_writer.h"

const char *command_payload(struct arena *arena, const char *action, struct json_object *params)
{
	if (params && !json_object_is_type(params, json_type_object))
		return NULL;
	struct jw_text text;
	struct jw *w = jw_text_begin(&text, arena);
	jw_object_begin(w);
	jw_member_string(w, "action", action);
	if (params) {
		json_object_object_foreach(params, key, value) {
			if (strcmp(key, "action") == 0)
				continue;
			jw_member_raw(w, key, json_text(arena, value));
		}
	}
	jw_object_end(w);
	return text.b.data;
}
