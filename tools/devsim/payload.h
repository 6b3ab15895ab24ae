/*
 * payload.h — the JSON devsim speaks: a tiny growable writer for the device → station
 * payloads of SPEC §5, json-c parsing for the station → device ones, and the
 * --print-commands line.
 *
 * Writing never goes through an intermediate object: the payloads are a handful of
 * fixed shapes, written key by key with every string escaped. json-c is only for reading.
 */
#ifndef DEVSIM_PAYLOAD_H
#define DEVSIM_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* A reusable output buffer. After an allocation failure or past JBUF_LIMIT it stops
 * growing and sets failed; the caller checks failed once at the end. */
#define JBUF_LIMIT (1024 * 1024)

struct jbuf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};

void jbuf_reset(struct jbuf *b);
void jbuf_free(struct jbuf *b);
void jbuf_raw(struct jbuf *b, const char *s);
/* A quoted JSON string: quotes, backslashes and controls escaped, bad UTF-8 (by
 * libstation's rule, utf8.h) → U+FFFD. */
void jbuf_string(struct jbuf *b, const char *s, size_t len);
/* "key":"value" in an object being written, after a comma unless it is the first member. */
void jbuf_member(struct jbuf *b, const char *key, const char *value);
void jbuf_printf(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Device → station. Each resets the buffer and leaves one complete document in it. */
void payload_handshake(struct jbuf *b, const char *type, const char *firmware_version,
		       const char *chip, const char *kit_tag);
void payload_heartbeat(struct jbuf *b, const char *status);
/* seq > 0 adds "seq" (--sequence): mqttd stores an event's whole payload, so a test can find it. */
void payload_event(struct jbuf *b, const char *event, const char *action, long seq);

/* {"state":{…}}: begin, any number of members, end. */
void payload_state_begin(struct jbuf *b);
void payload_state_number(struct jbuf *b, const char *key, double value, int decimals);
void payload_state_bool(struct jbuf *b, const char *key, bool value);
void payload_state_end(struct jbuf *b);

/* Station → device. */
struct command {
	char action[64];
	bool has_brightness;  /* the member is present */
	bool brightness_ok;   /* … and is a number within 0–100 */
	int brightness;
	/* ota_update: where, what and its SHA-256 (empty when absent or too long) */
	char url[1024];
	char version[65];
	char firmware_id[64];
	char sha256[65];
};

/* The parsed document (caller puts it), or NULL when the bytes are not one JSON value. */
struct json_object *payload_parse(const void *data, size_t len);
/* 0 when obj is an object with a string "action"; -1 otherwise. */
int payload_command(struct json_object *obj, struct command *out);

/* One line on stdout: {"deviceId":…,"topic":…,"payload":…}; a payload that is not JSON
 * is printed as "payload":null,"raw":"<the bytes as a string>". Flushed at once. */
void payload_print_received(struct jbuf *b, const char *device_id, const char *topic,
			    struct json_object *obj, const void *raw, size_t len);

#endif
