/*
 * payload.c — devsim's JSON (see payload.h).
 *
 * The writer appends to one reusable buffer (the simulator is single-threaded, so one
 * scratch buffer serves every message); it escapes every string it writes, including
 * ids read from a credentials file, and never emits invalid UTF-8 (libstation's rule,
 * utf8.h). Reading is json-c with a small depth limit; the caller has already refused
 * payloads over 64 KiB.
 *
 * It is not lib/json_writer on purpose: devsim must send what the firmware sends (SPEC
 * §5 byte for byte), and its bytes differ from the station's writer where they can: DEL
 * is escaped here, and a byte that is not UTF-8 becomes the escape \ufffd here but raw
 * U+FFFD there. Its buffer is also one malloc'd scratch reused for every message, not an
 * arena. The shapes are few and fixed; the UTF-8 rule itself is libstation's.
 */
#include "payload.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "utf8.h"

#define PARSE_DEPTH 16

void jbuf_reset(struct jbuf *b)
{
	b->len = 0;
	b->failed = false;
	if (b->data)
		b->data[0] = '\0';
}

void jbuf_free(struct jbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

/* Room for n more bytes plus the terminating NUL. */
static bool jbuf_reserve(struct jbuf *b, size_t n)
{
	if (b->failed)
		return false;
	if (n > JBUF_LIMIT || b->len + n + 1 > JBUF_LIMIT) {
		b->failed = true;
		return false;
	}
	if (b->len + n + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 512;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *data = realloc(b->data, cap);
	if (!data) {
		b->failed = true;
		return false;
	}
	b->data = data;
	b->cap = cap;
	return true;
}

static void jbuf_bytes(struct jbuf *b, const char *s, size_t n)
{
	if (!jbuf_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void jbuf_raw(struct jbuf *b, const char *s)
{
	jbuf_bytes(b, s, strlen(s));
}

void jbuf_printf(struct jbuf *b, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof small) {
		jbuf_bytes(b, small, (size_t)n);
		return;
	}
	if (!jbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void jbuf_string(struct jbuf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	jbuf_bytes(b, "\"", 1);
	size_t i = 0;
	while (i < len && !b->failed) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			jbuf_bytes(b, esc, 2);
			i++;
		} else if (c == '\n') {
			jbuf_bytes(b, "\\n", 2);
			i++;
		} else if (c == '\r') {
			jbuf_bytes(b, "\\r", 2);
			i++;
		} else if (c == '\t') {
			jbuf_bytes(b, "\\t", 2);
			i++;
		} else if (c < 0x20 || c == 0x7F) {
			jbuf_printf(b, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			size_t run = i + 1;
			while (run < len && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '"' && p[run] != '\\')
				run++;
			jbuf_bytes(b, s + i, run - i);
			i = run;
		} else {
			size_t n = utf8_sequence_length(p + i, len - i);
			if (n) {
				jbuf_bytes(b, s + i, n);
				i += n;
			} else {
				jbuf_bytes(b, "\\ufffd", 6);
				i++;
			}
		}
	}
	jbuf_bytes(b, "\"", 1);
}

/* "key": after a comma, unless the member is the first of its object. */
static void jbuf_key(struct jbuf *b, const char *key)
{
	if (b->len > 0 && b->data[b->len - 1] != '{')
		jbuf_bytes(b, ",", 1);
	jbuf_string(b, key, strlen(key));
	jbuf_bytes(b, ":", 1);
}

void jbuf_member(struct jbuf *b, const char *key, const char *value)
{
	jbuf_key(b, key);
	jbuf_string(b, value, strlen(value));
}

void payload_handshake(struct jbuf *b, const char *type, const char *firmware_version,
		       const char *chip, const char *kit_tag)
{
	jbuf_reset(b);
	jbuf_raw(b, "{");
	jbuf_member(b, "type", type);
	jbuf_member(b, "firmwareVersion", firmware_version);
	jbuf_member(b, "chip", chip);
	if (kit_tag && *kit_tag)
		jbuf_member(b, "kit_tag", kit_tag);
	jbuf_raw(b, "}");
}

void payload_heartbeat(struct jbuf *b, const char *status)
{
	jbuf_reset(b);
	jbuf_raw(b, "{");
	jbuf_member(b, "status", status);
	jbuf_raw(b, "}");
}

void payload_event(struct jbuf *b, const char *event, const char *action, long seq)
{
	jbuf_reset(b);
	jbuf_raw(b, "{");
	jbuf_member(b, "event", event);
	jbuf_raw(b, ",\"data\":{");
	jbuf_member(b, "action", action);
	jbuf_raw(b, "}");
	if (seq > 0)
		jbuf_printf(b, ",\"seq\":%ld", seq);
	jbuf_raw(b, "}");
}

void payload_state_begin(struct jbuf *b)
{
	jbuf_reset(b);
	jbuf_raw(b, "{\"state\":{");
}

void payload_state_number(struct jbuf *b, const char *key, double value, int decimals)
{
	jbuf_key(b, key);
	if (!isfinite(value))
		value = 0;
	jbuf_printf(b, "%.*f", decimals, value);
}

void payload_state_bool(struct jbuf *b, const char *key, bool value)
{
	jbuf_key(b, key);
	jbuf_raw(b, value ? "true" : "false");
}

void payload_state_end(struct jbuf *b)
{
	jbuf_raw(b, "}}");
}

struct json_object *payload_parse(const void *data, size_t len)
{
	if (len > INT32_MAX)
		return NULL;
	struct json_tokener *tok = json_tokener_new_ex(PARSE_DEPTH);
	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
	struct json_object *obj = json_tokener_parse_ex(tok, data, (int)len);
	bool ok = obj && json_tokener_get_error(tok) == json_tokener_success;
	if (ok) {
		/* Only whitespace may follow the value. */
		const char *p = data;
		for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') {
				ok = false;
				break;
			}
		}
	}
	json_tokener_free(tok);
	if (!ok) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/* The string member key into buf (cap bytes), or leaves it empty. */
static void copy_member(struct json_object *obj, const char *key, char *buf, size_t cap)
{
	struct json_object *v;
	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return;
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);
	if (n < cap && !memchr(s, '\0', n))
		memcpy(buf, s, n + 1);
}

int payload_command(struct json_object *obj, struct command *out)
{
	memset(out, 0, sizeof *out);
	if (!obj || !json_object_is_type(obj, json_type_object))
		return -1;
	struct json_object *action;
	if (!json_object_object_get_ex(obj, "action", &action) ||
	    !json_object_is_type(action, json_type_string))
		return -1;
	const char *s = json_object_get_string(action);
	size_t n = (size_t)json_object_get_string_len(action);
	if (n == 0 || n >= sizeof out->action || memchr(s, '\0', n))
		return -1;
	memcpy(out->action, s, n);
	out->action[n] = '\0';

	struct json_object *brightness;
	if (json_object_object_get_ex(obj, "brightness", &brightness)) {
		out->has_brightness = true;
		if (json_object_is_type(brightness, json_type_int) ||
		    json_object_is_type(brightness, json_type_double)) {
			double v = json_object_get_double(brightness);
			if (isfinite(v) && v >= 0 && v <= 100) {
				out->brightness = (int)(v + 0.5);
				out->brightness_ok = true;
			}
		}
	}
	copy_member(obj, "url", out->url, sizeof out->url);
	copy_member(obj, "version", out->version, sizeof out->version);
	copy_member(obj, "firmware_id", out->firmware_id, sizeof out->firmware_id);
	copy_member(obj, "sha256", out->sha256, sizeof out->sha256);
	return 0;
}

void payload_print_received(struct jbuf *b, const char *device_id, const char *topic,
			    struct json_object *obj, const void *raw, size_t len)
{
	jbuf_reset(b);
	jbuf_raw(b, "{");
	jbuf_member(b, "deviceId", device_id);
	jbuf_member(b, "topic", topic);
	jbuf_key(b, "payload");
	if (obj) {
		jbuf_raw(b, json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		jbuf_raw(b, "null");
		jbuf_key(b, "raw");
		jbuf_string(b, raw, len);
	}
	jbuf_raw(b, "}\n");
	if (b->failed)
		return;
	fwrite(b->data, 1, b->len, stdout);
	fflush(stdout);
}
