/*
 * routes.c — api-firmware: the store of ESP32 images devices update from (SPEC §4
 * firmware, docs/firmware.md).
 *
 * Owners and admins upload an image as the raw body (application/octet-stream) with
 * ?deviceType&version[&sha256], or as multipart/form-data with those fields and a file
 * part (multipart.c); either way it is streamed to disk, checked as an ESP32 app image and
 * stored as <deviceType>@<version>.bin in firmware.dir. The same bytes again are the same
 * image (200), other bytes for a known version a conflict (409). Members and devices
 * download an image through nginx: the worker only says yes (X-Accel-Redirect to the
 * internal location), nginx sends the bytes with their length, ETag and ranges.
 */
#include <libpq-fe.h>
#include <string.h>
#include <strings.h>

#include "api/shared/firmware_repo.h"
#include "runtime.h"
#include "api/shared/firmware_store.h"
#include "api/shared/ota_job.h"
#include "multipart.h"

static const struct field firmware_upload_query[] = {
	{ "deviceType", FIELD_STRING, .max = BOUND(70),
	  .description = "the device type: light, or the agent's spelling esp32-light (multipart: a field)" },
	{ "version", FIELD_STRING, .max = BOUND(64), .description = "like 0.1.32 (multipart: a field)" },
	{ "sha256", FIELD_STRING, .max = BOUND(71),
	  .description = "the image's SHA-256 in hex (or sha256:<hex>): other bytes are refused" },
	{ 0 },
};

static bool content_type_is_octet_stream(const char *ct)
{
	size_t n = strlen("application/octet-stream");
	return ct && strncasecmp(ct, "application/octet-stream", n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

/* GET /api/firmware */
static int firmware_list(struct request *req)
{
	return reply_rows(req, db_run(req, firmwares_list), firmware_columns);
}

/* GET /api/firmware/:id */
static int firmware_get(struct request *req)
{
	return reply_row_or_404(req, db_run(req, firmwares_by_id, req_param(req, "id")), firmware_columns,
				"firmware not found");
}

/* Checks the names and stores the received image (new: 201; the same bytes again: 200;
 * other bytes for that version: 409). */
static int firmware_store_or_reply(struct request *req, const char *type, const char *version, const char *sha256,
				   const struct firmware_upload *up)
{
	const char *problem = firmware_names_problem(req->arena, "deviceType", type, version, sha256);
	if (problem)
		return reply_error(req, 400, "%s", problem);
	type = firmware_type_canonical(type);
	if (sha256 && !firmware_sha256_matches(sha256, up->sha256))
		return reply_error(req, 400, "sha256: does not match the uploaded image");

	/* A known version: the same bytes are the same image, its file put back in place if it
	 * went missing. */
	PGresult *image;
	bool created;
	if (firmware_register_or_reply(req, type, version, firmware_file_name(req, type, version), up, "upload", &image,
				       &created) ||
	    firmware_install_or_reply(req, up, db_value(image, 0, FIRMWARE_COL_FILE_NAME)))
		return req->status;
	db_write_row(reply_json_status(req, created ? 201 : 200), image, 0, firmware_columns);
	return reply_ok(req);
}

/* A multipart body: its reader over the request's body, errors answered as 400. */
struct form {
	struct request *req;
	struct multipart *mp;
};

static long body_read(void *req, void *buf, size_t cap)
{
	return req_body_read(req, buf, cap);
}

static long form_read(void *ctx, void *buf, size_t cap)
{
	struct form *f = ctx;
	long n = multipart_read(f->mp, buf, cap);
	if (n < 0)
		reply_error(f->req, 400, "%s", multipart_error(f->mp));
	return n;
}

/* POST /api/firmware?deviceType&version[&sha256] — the image as the body; or a
 * multipart/form-data body with the fields deviceType, version, sha256? and the file. */
static int firmware_upload(struct request *req)
{
	struct firmware_upload up;
	if (multipart_is_form_data(req->content_type)) {
		struct form f = { req, multipart_begin(req->arena, req->content_type, body_read, req) };
		struct firmware_source source = { form_read, &f, MULTIPART_FRAMING_MAX };
		if (!f.mp)
			return reply_error(req, 400, MULTIPART_NO_BOUNDARY);
		if (firmware_receive_from_or_reply(req, &source, &up))
			return req->status;
		return firmware_store_or_reply(req, multipart_field(f.mp, "deviceType"), multipart_field(f.mp, "version"),
					       multipart_field(f.mp, "sha256"), &up);
	}
	const char *type = req_query(req, "deviceType"), *version = req_query(req, "version");
	const char *sha256 = req_query(req, "sha256");
	/* The names are checked before a byte of the raw body is read. */
	const char *problem = firmware_names_problem(req->arena, "deviceType", type, version, sha256);
	if (problem)
		return reply_error(req, 400, "%s", problem);
	if (!content_type_is_octet_stream(req->content_type))
		return reply_error(req, 415, "content-type: must be application/octet-stream or multipart/form-data");
	if (firmware_receive_or_reply(req, &up))
		return req->status;
	return firmware_store_or_reply(req, type, version, sha256, &up);
}

/* GET /api/firmware/:id/download — nginx sends the file. */
static int firmware_download(struct request *req)
{
	PGresult *row = db_row(req, "firmware not found", firmwares_by_id, req_param(req, "id"));
	if (!row)
		return req->status;
	return reply_file(req, firmware_internal_uri(req, db_value(row, 0, FIRMWARE_COL_FILE_NAME)));
}

/* DELETE /api/firmware/:id — the row, then the file, in the route's transaction; 409 while
 * a pending or sent OTA update uses the image (finished ones keep their log). */
static int firmware_delete(struct request *req)
{
	PGresult *used = db_run(req, firmwares_in_use, req_param(req, "id"));
	if (!used)
		return req->status;
	if (PQntuples(used) > 0)
		return reply_error(req, 409, "firmware: in use by an ota update");
	PGresult *row = db_row(req, "firmware not found", firmwares_delete, req_param(req, "id"));
	if (!row || firmware_remove_or_reply(req, db_value(row, 0, FIRMWARE_COL_FILE_NAME)))
		return req->status;
	return reply_empty(req);
}

/* POST /api/firmware/update {deviceId, version | firmwareId} — one device's OTA update. */
static const struct field update_body[] = {
	{ "deviceId", FIELD_UUID, .required = true },
	{ "version", FIELD_STRING, .max = BOUND(64), .description = "an image of the device's type, by version" },
	{ "firmwareId", FIELD_UUID, .description = "or the image itself" },
	{ 0 },
};

static int firmware_update(struct request *req)
{
	const char *device_id = body_string(req, "deviceId"), *version = body_string(req, "version");
	const char *firmware_id = body_string(req, "firmwareId");
	if (!version == !firmware_id)
		return reply_error(req, 400, "version: give either version or firmwareId");
	PGresult *device = db_row(req, "device not found", firmware_device, device_id), *image;
	if (!device)
		return req->status;
	const char *type = db_value(device, 0, FIRMWARE_DEVICE_COL_TYPE);
	if (firmware_id)
		image = db_row(req, "firmware not found", firmwares_by_id, firmware_id);
	else
		image = db_row(req, "firmware not found", firmwares_by_version, type, version);
	if (!image)
		return req->status;
	if (strcmp(db_value(image, 0, FIRMWARE_COL_DEVICE_TYPE), type) != 0)
		return reply_error(req, 400, "firmwareId: an image for %s, not for this %s device",
				   db_value(image, 0, FIRMWARE_COL_DEVICE_TYPE), type);
	PGresult *queued;
	const char *ids = arena_printf(req->arena, "[\"%s\"]", device_id);
	if (ota_enqueue_or_reply(req, db_value(image, 0, FIRMWARE_COL_ID), ids, &queued))
		return req->status;
	if (PQntuples(queued) == 0)
		return reply_error(req, 409, "deviceId: an update of this device is in progress");
	return reply_ota_job(req, queued, NULL);
}

static const struct route routes[] = {
	{ "GET", "/api/firmware", firmware_list, WHO_MEMBER, .reply = REPLY_ROWS(firmware_columns),
	  .summary = "Firmware images, by device type, newest first" },
	{ "GET", "/api/firmware/:id", firmware_get, WHO_MEMBER, .reply = REPLY_ROW(firmware_columns),
	  .summary = "One firmware image" },
	{ "POST", "/api/firmware", firmware_upload, WHO_ADMIN, .raw_body = true, .query = firmware_upload_query,
	  .tx = TX_WRITE, .status = 201, .status_alt = 200, .reply = REPLY_ROW(firmware_columns), .errors = ERR_409,
	  .summary = "Upload an ESP32 app image (application/octet-stream, or multipart/form-data with deviceType, version, sha256? and the file); the same bytes again answer 200" },
	{ "GET", "/api/firmware/:id/download", firmware_download, WHO_MEMBER | WHO_DEVICE, .reply = REPLY_FILE,
	  .summary = "The image's bytes, sent by nginx (Range, ETag, If-None-Match)" },
	{ "DELETE", "/api/firmware/:id", firmware_delete, WHO_ADMIN, .tx = TX_WRITE, .reply = REPLY_NONE,
	  .errors = ERR_409, .summary = "Remove an image and its file (409 while an OTA update uses it)" },
	{ "POST", "/api/firmware/update", firmware_update, WHO_ADMIN, .body = update_body, .tx = TX_WRITE,
	  .status = 202, .reply = REPLY_OBJECT(ota_job_reply), .errors = ERR_400 | ERR_404 | ERR_409,
	  .summary = "Update one device to an image of its type (an OTA update; docs/ota.md)" },
	{ 0 },
};

WORKER_MAIN("firmware", routes, firmware_dir_ready);
