/*
 * multipart.h — a multipart/form-data upload of an image (RFC 7578), read as it streams:
 * the small fields (deviceType, version, sha256) are kept, the file part's bytes are
 * handed on piece by piece and never held whole. Pure: the body's bytes come from a
 * reader, errors are messages (the firmware module answers them as 400).
 */
#ifndef STATION_API_FIRMWARE_MULTIPART_H
#define STATION_API_FIRMWARE_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* Body bytes a multipart upload may have besides the image: part headers, fields, boundaries. */
#define MULTIPART_FRAMING_MAX (16 * 1024)
/* The message for a Content-Type without a usable boundary (multipart_begin gave NULL). */
#define MULTIPART_NO_BOUNDARY "content-type: multipart/form-data needs a boundary (1 to 70 characters)"

struct multipart;

/* Whether content_type is multipart/form-data. */
bool multipart_is_form_data(const char *content_type);
/* A reader of a body whose bytes read() gives (0 at its end, -1 on error), in arena;
 * NULL when content_type has no usable boundary. */
struct multipart *multipart_begin(struct arena *arena, const char *content_type,
				  long (*read)(void *ctx, void *buf, size_t cap), void *ctx);
/* The next bytes of the file part into buf: how many, 0 once the whole body is read (every
 * field after the file included), -1 on a malformed body, a second file, a field over 255
 * bytes, no file part, or a read error: multipart_error() says which. */
long multipart_read(struct multipart *mp, void *buf, size_t cap);
/* The message of the error multipart_read() met ("file: is required"), else NULL. */
const char *multipart_error(const struct multipart *mp);
/* A field's value once the body is read (NULL when it was absent). */
const char *multipart_field(const struct multipart *mp, const char *name);

#endif
