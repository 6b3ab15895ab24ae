/*
 * multipart.h — a multipart/form-data upload of an image (RFC 7578), read as it streams:
 * the small fields (deviceType, version, sha256) are kept, the file part's bytes are
 * handed on piece by piece (firmware_receive_from_or_reply) and never held whole.
 */
#ifndef STATION_API_FIRMWARE_MULTIPART_H
#define STATION_API_FIRMWARE_MULTIPART_H

#include <stdbool.h>

#include "runtime.h"

/* Body bytes a multipart upload may have besides the image: part headers, fields, boundaries. */
#define MULTIPART_FRAMING_MAX (16 * 1024)

struct multipart;

/* Whether content_type is multipart/form-data. */
bool multipart_is_form_data(const char *content_type);
/* A reader of the request's body; NULL after replying 400 (no usable boundary). */
struct multipart *multipart_begin_or_reply(struct request *req);
/* The next bytes of the file part into buf: how many, 0 once the whole body is read (every
 * field after the file included), -1 after replying 400 (a malformed body, a second file,
 * a field over 255 bytes, no file part). */
long multipart_read(void *mp, void *buf, size_t cap);
/* A field's value once the body is read (NULL when it was absent). */
const char *multipart_field(const struct multipart *mp, const char *name);

#endif
