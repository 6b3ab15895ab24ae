/*
 * json_writer.h — the one streaming JSON writer.
 *
 * Responses, NOTIFY payloads and MQTT messages are written straight into a struct buf:
 * no intermediate objects. The writer keeps track of commas itself. Strings are escaped
 * and invalid UTF-8 is replaced by U+FFFD, so the output is always valid JSON.
 * Database rows are written through a column map (see db.h, db_write_row).
 */
#ifndef STATION_JSON_WRITER_H
#define STATION_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define JW_MAX_DEPTH 64

struct jw {
	struct buf *out;
	int depth;
	bool need_comma[JW_MAX_DEPTH];
	bool after_key;
};

/* A JSON text of its own in the arena: write through jw_text_begin()'s writer, then
 * read text.b.data. */
struct jw_text {
	struct buf b;
	struct jw w;
};
struct jw *jw_text_begin(struct jw_text *text, struct arena *arena);

void jw_init(struct jw *w, struct buf *out);
void jw_object_begin(struct jw *w);
void jw_object_end(struct jw *w);
void jw_array_begin(struct jw *w);
void jw_array_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_string(struct jw *w, const char *s);          /* NULL writes null */
void jw_string_n(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, long long v);
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Already-valid JSON text (a jsonb column, a json-c serialisation); NULL writes null. */
void jw_raw(struct jw *w, const char *json);

/* Key + value in one call, for the common object member. */
void jw_member_string(struct jw *w, const char *key, const char *s);
void jw_member_int(struct jw *w, const char *key, long long v);
void jw_member_bool(struct jw *w, const char *key, bool v);
void jw_member_raw(struct jw *w, const char *key, const char *json);
/* A whole object of string members: key, value, key, value, …, NULL (a NULL value writes null). */
void jw_object_of_strings(struct jw *w, const char *key, ...) __attribute__((sentinel));

/* Escapes s as a quoted JSON string into dst (at most cap bytes); returns bytes written. */
size_t json_escape_into(char *dst, size_t cap, const char *s);

#endif
