/*
 * json_writer.c — streaming JSON writer (see json_writer.h).
 */
#include "json_writer.h"

#include <stdarg.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

void jw_init(struct jw *w, struct buf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

/* Writes the separator a value needs at the current position. */
static void jw_value_prefix(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0 && w->need_comma[w->depth])
		buf_putc(w->out, ',');
	if (w->depth > 0)
		w->need_comma[w->depth] = true;
}

static void jw_open(struct jw *w, char c)
{
	jw_value_prefix(w);
	buf_putc(w->out, c);
	if (w->depth < JW_MAX_DEPTH - 1)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void jw_close(struct jw *w, char c)
{
	buf_putc(w->out, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_object_begin(struct jw *w) { jw_open(w, '{'); }
void jw_object_end(struct jw *w) { jw_close(w, '}'); }
void jw_array_begin(struct jw *w) { jw_open(w, '['); }
void jw_array_end(struct jw *w) { jw_close(w, ']'); }

/*
 * Calls emit(ctx, bytes, n) for the escaped form of s[0..len). Shared by the buffered
 * writer and the fixed-size escaper used by the logger.
 */
static void escape_string(const char *s, size_t len, void (*emit)(void *, const char *, size_t), void *ctx)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	emit(ctx, "\"", 1);
	while (i < len) {
		unsigned char c = p[i];
		const char *esc = NULL;
		char tmp[8];
		size_t seq = 1;
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\r')
			esc = "\\r";
		else if (c == '\t')
			esc = "\\t";
		else if (c < 0x20) {
			snprintf(tmp, sizeof tmp, "\\u%04x", c);
			esc = tmp;
		} else if (c >= 0x80) {
			seq = utf8_sequence_length(p + i, len - i);
			if (seq == 0) {
				esc = "\xEF\xBF\xBD"; /* U+FFFD for a byte that is not UTF-8 */
				seq = 1;
			}
		}
		if (esc) {
			if (run)
				emit(ctx, (const char *)p + i - run, run);
			run = 0;
			emit(ctx, esc, strlen(esc));
			i += seq;
		} else {
			run += seq;
			i += seq;
		}
	}
	if (run)
		emit(ctx, (const char *)p + i - run, run);
	emit(ctx, "\"", 1);
}

static void emit_buf(void *ctx, const char *s, size_t n)
{
	buf_append(ctx, s, n);
}

struct fixed {
	char *dst;
	size_t cap, len;
};

static void emit_fixed(void *ctx, const char *s, size_t n)
{
	struct fixed *f = ctx;
	if (f->len + n > f->cap)
		n = f->cap - f->len;
	memcpy(f->dst + f->len, s, n);
	f->len += n;
}

size_t json_escape_into(char *dst, size_t cap, const char *s)
{
	struct fixed f = { dst, cap, 0 };
	escape_string(s, strlen(s), emit_fixed, &f);
	if (f.len == cap && cap > 0)
		dst[cap - 1] = '"'; /* cut short, still a closed string */
	return f.len;
}

void jw_key(struct jw *w, const char *key)
{
	jw_value_prefix(w);
	escape_string(key, strlen(key), emit_buf, w->out);
	buf_putc(w->out, ':');
	w->after_key = true;
}

void jw_string_n(struct jw *w, const char *s, size_t n)
{
	jw_value_prefix(w);
	escape_string(s, n, emit_buf, w->out);
}

void jw_string(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_string_n(w, s, strlen(s));
}

void jw_int(struct jw *w, long long v)
{
	jw_value_prefix(w);
	buf_printf(w->out, "%lld", v);
}

void jw_double(struct jw *w, double v)
{
	jw_value_prefix(w);
	if (!isfinite(v))
		buf_puts(w->out, "null");
	else
		buf_printf(w->out, "%.17g", v);
}

void jw_bool(struct jw *w, bool v)
{
	jw_value_prefix(w);
	buf_puts(w->out, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	jw_value_prefix(w);
	buf_puts(w->out, "null");
}

void jw_raw(struct jw *w, const char *json)
{
	jw_value_prefix(w);
	buf_puts(w->out, json ? json : "null");
}

void jw_member_string(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s);
}

void jw_member_int(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_member_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_member_raw(struct jw *w, const char *key, const char *json)
{
	jw_key(w, key);
	jw_raw(w, json);
}

struct jw *jw_text_begin(struct jw_text *text, struct arena *arena)
{
	buf_init(&text->b, arena);
	jw_init(&text->w, &text->b);
	return &text->w;
}

void jw_object_of_strings(struct jw *w, const char *key, ...)
{
	va_list ap;
	va_start(ap, key);
	jw_object_begin(w);
	for (; key; key = va_arg(ap, const char *))
		jw_member_string(w, key, va_arg(ap, const char *));
	jw_object_end(w);
	va_end(ap);
}
