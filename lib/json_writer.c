/*
 * json_writer.c — streaming JSON writer (see json_writer.h).
 */
#include "json_writer.h"

#include <stdarg.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decimal.h"
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
 * Strings. A string is copied in runs: json_safe_run() finds how many bytes from here
 * need nothing (eight at a time while they are plain ASCII), they are copied with one
 * memcpy, and json_escape_byte() writes the one byte that stopped the run. The rule of
 * what is safe lives only in these two functions; the buffered writer and the
 * fixed-size escaper of the logger both follow it.
 */

/* Does any of the eight bytes of x need care: a control, '"', '\\', or a byte ≥ 0x80?
 * (Exact: the classic "has a zero byte" / "has a byte less than n" word tests.) */
static inline bool word_needs_care(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
	uint64_t found = ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | x;
	return (found & highs) != 0;
}

/* Length of the prefix of p[0..len) that goes out as it is: printable ASCII but '"' and
 * '\\', and well-formed UTF-8 sequences. */
static size_t json_safe_run(const unsigned char *p, size_t len)
{
	size_t i = 0;
	for (;;) {
		uint64_t x;
		while (i + 8 <= len && (memcpy(&x, p + i, 8), !word_needs_care(x)))
			i += 8;
		while (i < len && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
			i++;
		if (i == len || p[i] < 0x80)
			return i;
		size_t seq = utf8_sequence_length(p + i, len - i);
		if (seq == 0)
			return i;
		i += seq;
	}
}

/* The escaped form of the byte c at which a safe run stopped: an escape, or U+FFFD for
 * a byte that does not start well-formed UTF-8. Writes at most 6 bytes; returns how many. */
static size_t json_escape_byte(unsigned char c, char out[6])
{
	static const char hex[] = "0123456789abcdef";
	const char *esc;
	switch (c) {
	case '"': esc = "\\\""; break;
	case '\\': esc = "\\\\"; break;
	case '\n': esc = "\\n"; break;
	case '\r': esc = "\\r"; break;
	case '\t': esc = "\\t"; break;
	default:
		if (c < 0x20) {
			memcpy(out, "\\u00", 4);
			out[4] = hex[c >> 4];
			out[5] = hex[c & 15];
			return 6;
		}
		esc = "\xEF\xBF\xBD";
		break;
	}
	size_t n = strlen(esc);
	memcpy(out, esc, n);
	return n;
}

/* Appends s[0..len) to b as a quoted JSON string: room for the common case (nothing to
 * escape) is made once, and again only after an escape. */
static void put_string(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	buf_reserve(b, len + 2);
	b->data[b->len++] = '"';
	for (;;) {
		size_t run = json_safe_run(p, len);
		memcpy(b->data + b->len, p, run);
		b->len += run;
		p += run;
		len -= run;
		if (len == 0)
			break;
		char esc[6];
		size_t n = json_escape_byte(*p, esc);
		p++;
		len--;
		buf_reserve(b, n + len + 1);
		memcpy(b->data + b->len, esc, n);
		b->len += n;
	}
	b->data[b->len++] = '"';
	b->data[b->len] = '\0';
}

/* Appends n bytes to dst[0..cap) at *len, cutting at cap. */
static void put_fixed(char *dst, size_t cap, size_t *len, const void *s, size_t n)
{
	if (*len + n > cap)
		n = cap - *len;
	memcpy(dst + *len, s, n);
	*len += n;
}

size_t json_escape_into(char *dst, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), out = 0;
	put_fixed(dst, cap, &out, "\"", 1);
	while (len > 0 && out < cap) {
		size_t run = json_safe_run(p, len);
		put_fixed(dst, cap, &out, p, run);
		p += run;
		len -= run;
		if (len == 0)
			break;
		char esc[6];
		put_fixed(dst, cap, &out, esc, json_escape_byte(*p, esc));
		p++;
		len--;
	}
	put_fixed(dst, cap, &out, "\"", 1);
	if (out == cap && cap > 0)
		dst[cap - 1] = '"'; /* cut short, still a closed string */
	return out;
}

void jw_key(struct jw *w, const char *key)
{
	jw_value_prefix(w);
	put_string(w->out, key, strlen(key));
	buf_putc(w->out, ':');
	w->after_key = true;
}

void jw_string_n(struct jw *w, const char *s, size_t n)
{
	jw_value_prefix(w);
	put_string(w->out, s, n);
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
	char digits[DECIMAL_MAX];
	jw_value_prefix(w);
	buf_append(w->out, digits, decimal_i64(digits, v));
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
