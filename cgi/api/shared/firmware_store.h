/*
 * firmware_store.h — the firmware directory (firmware.dir) and the names in it, for
 * api-firmware (uploads, downloads, deletes) and api-ota (images the station-agent put in
 * the directory): the rules of names, receiving an upload, checking a file in place,
 * putting it in place or taking it away. No SQL.
 */
#ifndef STATION_API_SHARED_FIRMWARE_STORE_H
#define STATION_API_SHARED_FIRMWARE_STORE_H

#include "runtime.h"

/* At start: firmware.dir exists (created 0755 when missing: nginx reads it) and this
 * program may write it; 0, or -1 after logging why. */
int firmware_dir_ready(void);
/* The device type as devices carry it: the agent's "esp32-light" is "light". */
const char *firmware_type_canonical(const char *type);
/* NULL, or the 400 message for a type (without the field's name: its callers name it
 * deviceType, type or device_type), a version or a sha256 query value. */
const char *firmware_type_problem(const char *type);
const char *firmware_version_problem(const char *version);
const char *firmware_sha256_problem(const char *sha256);
/* The three above for an image's names (sha256 NULL: none given), the type named
 * type_field; a missing type or version is "<type_field>: is required", "version: is required". */
const char *firmware_names_problem(struct arena *arena, const char *type_field, const char *type, const char *version,
				   const char *sha256);
/* Whether given (hex, or sha256:<hex>, either case) is the digest hex. */
bool firmware_sha256_matches(const char *given, const char *hex);
/* "<type>@<version>.bin" */
const char *firmware_file_name(struct request *req, const char *type, const char *version);

/* An upload received into a temporary file of the firmware directory. */
struct firmware_upload {
	const char *temp_path;
	long long size;
	const char *sha256; /* lower-case hex */
};
/*
 * Streams the body into a temporary file (413 when it is or grows larger than
 * firmware.max_bytes, before reading it), fsyncs it and checks it is an ESP32 app image
 * (400 "image: …"). The file is removed with the arena unless firmware_install moved it.
 */
int firmware_receive_or_reply(struct request *req, struct firmware_upload *up);
/*
 * Registers a received or checked image as file_name (source "upload" or "agent"). When
 * that type has that version already, the same bytes are that image (*created false),
 * other bytes 409 "version: light 0.1.32 exists with other bytes". *image: its row
 * (firmware_columns). 0, or the status replied.
 */
int firmware_register_or_reply(struct request *req, const char *type, const char *version, const char *file_name,
			       const struct firmware_upload *up, const char *source, PGresult **image, bool *created);
/* Checks file_name, a file already in the firmware directory (the station-agent's cache),
 * as an upload is checked: a regular file (no symbolic link followed) of at most
 * firmware.max_bytes, an ESP32 app image; fills *file (size, sha256; temp_path NULL).
 * 400 "file: …" or "image: …" otherwise. The caller has checked the name itself. */
int firmware_check_file_or_reply(struct request *req, const char *file_name, struct firmware_upload *file);
/* Where an upload's image bytes come from: read() gives the next ones (0 at their end;
 * -1 after replying, or without a reply for "body: cannot be read"); framing is how many
 * body bytes besides the image the declared length may have (multipart's parts). */
struct firmware_source {
	long (*read)(void *ctx, void *buf, size_t cap);
	void *ctx;
	long long framing;
};
/* firmware_receive_or_reply() with the image from src instead of the raw body. */
int firmware_receive_from_or_reply(struct request *req, const struct firmware_source *src, struct firmware_upload *up);
/* Renames the upload to file_name in the firmware directory (atomic) and fsyncs the
 * directory; 500 when it cannot. */
int firmware_install_or_reply(struct request *req, const struct firmware_upload *up, const char *file_name);
/* Removes file_name from the firmware directory (absent already: fine). */
int firmware_remove_or_reply(struct request *req, const char *file_name);
/* What X-Accel-Redirect names for file_name (nginx's internal location). */
const char *firmware_internal_uri(struct request *req, const char *file_name);

#endif
