/*
 * multipart.c — reading a multipart/form-data upload as it streams (multipart.h).
 *
 * The body is "--B\r\n<headers>\r\n\r\n<data>\r\n--B\r\n…\r\n--B--". The reader keeps at
 * most one buffer of it: it looks for the delimiter "\r\n--B" (the body is read as if it
 * began with "\r\n", so the first one looks like the others), hands on everything before
 * it, and keeps back the last delimiter-length-minus-one bytes, which may be the start of
 * a delimiter split between two reads. Part headers are bounded, fields hold at most 255
 * bytes, and the file part is the one named "file" (or any part with a filename).
 * Pure: the bytes come from the reader it is given, errors are messages; no request here
 * (tests/unit/test_multipart.c, tools/fuzz/fuzz_multipart.c).
 */
#include "multipart.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define BUF_CAP (64 * 1024)
#define HEADERS_MAX 2048
#define FIELD_MAX 255
#define BOUNDARY_MAX 70

enum mp_state { MP_PREAMBLE, MP_AFTER_DELIMITER, MP_HEADERS, MP_FILE, MP_FIELD, MP_DONE };

struct multipart {
	struct arena *arena;
	long (*read)(void *ctx, void *buf, size_t cap);
	void *read_ctx;
	const char *error;
	char delim[BOUNDARY_MAX + 5]; /* "\r\n--" boundary */
	size_t delim_len;
	char *buf;
	size_t len;
	bool eof;
	enum mp_state state;
	bool file_seen;
	const char *field;      /* the field being read: its name */
	char value[FIELD_MAX + 1];
	size_t value_len;
	const char *names[8];   /* fields kept */
	const char *values[8];
	int nfields;
};

bool multipart_is_form_data(const char *ct)
{
	size_t n = strlen("multipart/form-data");
	return ct && strncasecmp(ct, "multipart/form-data", n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

/* The first occurrence of word (lower-case) in s, ignoring case, within s[0, end); NULL. */
static const char *find_ci(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word);
	for (; s + n <= end; s++)
		if (strncasecmp(s, word, n) == 0)
			return s;
	return NULL;
}

/* The value of parameter `name` ("name=\"…\"", after a space or a semicolon) in the
 * header line [line, end), or NULL. */
static const char *param_of(struct arena *a, const char *line, const char *end, const char *name)
{
	const char *word = arena_printf(a, "%s=\"", name);
	for (const char *p = line; (p = find_ci(p, end, word)) != NULL; p++) {
		if (p > line && (p[-1] == ' ' || p[-1] == ';' || p[-1] == '\t')) {
			p += strlen(word);
			return arena_strndup(a, p, strcspn(p, "\"\r\n"));
		}
	}
	return NULL;
}

/* The boundary parameter of the content type, unquoted; NULL when there is none. */
static const char *boundary_of(struct arena *a, const char *ct)
{
	const char *p = find_ci(ct, ct + strlen(ct), "boundary=");
	if (!p)
		return NULL;
	p += strlen("boundary=");
	size_t n = *p == '"' ? strcspn(++p, "\"") : strcspn(p, "; \t");
	return n > 0 && n <= BOUNDARY_MAX ? arena_strndup(a, p, n) : NULL;
}

struct multipart *multipart_begin(struct arena *arena, const char *content_type,
				  long (*read)(void *ctx, void *buf, size_t cap), void *ctx)
{
	const char *boundary = content_type ? boundary_of(arena, content_type) : NULL;
	if (!boundary)
		return NULL;
	struct multipart *mp = arena_alloc(arena, sizeof *mp);
	memset(mp, 0, sizeof *mp);
	mp->arena = arena;
	mp->read = read;
	mp->read_ctx = ctx;
	mp->delim_len = (size_t)snprintf(mp->delim, sizeof mp->delim, "\r\n--%s", boundary);
	mp->buf = arena_alloc(arena, BUF_CAP);
	memcpy(mp->buf, "\r\n", 2);
	mp->len = 2;
	return mp;
}

static long fail(struct multipart *mp, const char *message)
{
	if (!mp->error)
		mp->error = message;
	return -1;
}

const char *multipart_error(const struct multipart *mp)
{
	return mp->error;
}

/* Reads more of the body into the buffer; -1 after replying. */
static int fill(struct multipart *mp)
{
	if (mp->eof)
		return 0;
	long n = mp->read(mp->read_ctx, mp->buf + mp->len, BUF_CAP - mp->len);
	if (n < 0)
		return (int)fail(mp, "body: cannot be read");
	if (n == 0)
		mp->eof = true;
	mp->len += (size_t)n;
	return 0;
}

static void consume(struct multipart *mp, size_t n)
{
	memmove(mp->buf, mp->buf + n, mp->len - n);
	mp->len -= n;
}

/* Where the delimiter starts in the buffer, or -1. */
static long find_delimiter(const struct multipart *mp)
{
	for (size_t i = 0; i + mp->delim_len <= mp->len; i++) {
		const char *hit = memchr(mp->buf + i, '\r', mp->len - i);
		if (!hit)
			return -1;
		i = (size_t)(hit - mp->buf);
		if (i + mp->delim_len <= mp->len && memcmp(hit, mp->delim, mp->delim_len) == 0)
			return (long)i;
	}
	return -1;
}

/* The part's headers: which field, or the file. 0, or -1 after replying. */
static int part_headers(struct multipart *mp, size_t end)
{
	char headers[HEADERS_MAX + 1];
	memcpy(headers, mp->buf, end);
	headers[end] = '\0';
	consume(mp, end + 4);
	const char *disposition = find_ci(headers, headers + end, "content-disposition:");
	const char *eol = disposition ? disposition + strcspn(disposition, "\r\n") : NULL;
	const char *name = disposition ? param_of(mp->arena, disposition, eol, "name") : NULL;
	if (!name)
		return (int)fail(mp, "body: a part has no content-disposition name");
	mp->field = name;
	if (strcmp(name, "file") == 0 || param_of(mp->arena, disposition, eol, "filename")) {
		if (mp->file_seen)
			return (int)fail(mp, "file: one image per upload");
		mp->file_seen = true;
		mp->state = MP_FILE;
	} else {
		mp->value_len = 0;
		mp->state = MP_FIELD;
	}
	return 0;
}

static int field_append(struct multipart *mp, const char *data, size_t n)
{
	if (mp->value_len + n > FIELD_MAX)
		return (int)fail(mp, arena_printf(mp->arena, "%s: at most %d bytes", mp->field, FIELD_MAX));
	memcpy(mp->value + mp->value_len, data, n);
	mp->value_len += n;
	return 0;
}

static int field_end(struct multipart *mp)
{
	if (mp->nfields == 8)
		return (int)fail(mp, "body: too many fields");
	mp->names[mp->nfields] = mp->field;
	mp->values[mp->nfields++] = arena_strndup(mp->arena, mp->value, mp->value_len);
	return 0;
}

long multipart_read(struct multipart *mp, void *out, size_t cap)
{
	if (mp->error)
		return -1;
	for (;;) {
		if (mp->state == MP_DONE)
			return mp->file_seen ? 0 : fail(mp, "file: is required");
		if (mp->len < BUF_CAP && !mp->eof && fill(mp) != 0)
			return -1;
		if (mp->state == MP_AFTER_DELIMITER) {
			if (mp->len < 2) {
				if (mp->eof)
					return fail(mp, "body: the multipart body ends early");
				continue;
			}
			bool last = memcmp(mp->buf, "--", 2) == 0;
			if (!last && memcmp(mp->buf, "\r\n", 2) != 0)
				return fail(mp, "body: malformed multipart delimiter");
			consume(mp, 2);
			mp->state = last ? MP_DONE : MP_HEADERS;
			continue;
		}
		if (mp->state == MP_HEADERS) {
			char *end = NULL;
			for (size_t i = 0; i + 4 <= mp->len && i <= HEADERS_MAX; i++)
				if (memcmp(mp->buf + i, "\r\n\r\n", 4) == 0) {
					end = mp->buf + i;
					break;
				}
			if (!end) {
				if (mp->eof || mp->len > HEADERS_MAX + 4)
					return fail(mp, "body: part headers too long or cut short");
				continue;
			}
			if (part_headers(mp, (size_t)(end - mp->buf)) != 0)
				return -1;
			continue;
		}
		/* Preamble, a field or the file: the bytes before the next delimiter. */
		long at = find_delimiter(mp);
		size_t safe = at >= 0 ? (size_t)at : (mp->len >= mp->delim_len ? mp->len - mp->delim_len + 1 : 0);
		if (at < 0 && mp->eof)
			return fail(mp, "body: the multipart body ends early");
		if (mp->state == MP_FILE && safe > 0) {
			size_t n = safe < cap ? safe : cap;
			memcpy(out, mp->buf, n);
			consume(mp, n);
			return (long)n;
		}
		if (mp->state == MP_FIELD && field_append(mp, mp->buf, safe) != 0)
			return -1;
		consume(mp, safe);
		if (at < 0)
			continue;
		consume(mp, mp->delim_len);
		if (mp->state == MP_FIELD && field_end(mp) != 0)
			return -1;
		if (mp->state == MP_FILE)
			mp->field = NULL;
		mp->state = MP_AFTER_DELIMITER;
	}
}

const char *multipart_field(const struct multipart *mp, const char *name)
{
	for (int i = mp->nfields - 1; i >= 0; i--)
		if (strcmp(mp->names[i], name) == 0)
			return mp->values[i];
	return NULL;
}
