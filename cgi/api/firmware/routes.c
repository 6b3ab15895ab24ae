/*
 * routes.c — api-firmware: the store of ESP32 images devices update from (SPEC §4
 * firmware, docs/firmware.md).
 *
 * Owners and admins upload an image as the raw body (application/octet-stream) with
 * ?deviceType&version[&sha256]; it is streamed to disk, checked as an ESP32 app image and
 * stored as <deviceType>@<version>.bin in firmware.dir. The same bytes again are the same
 * image (200), other bytes for a known version a conflict (409). Members and devices
 * download an image through nginx: the worker only says yes (X-Accel-Redirect to the
 * internal location), nginx sends the bytes with their length, ETag and ranges.
 */
#include <libpq-fe.h>
#include <string.h>
#include <strings.h>

#include "repo.h"
#include "runtime.h"
#include "service.h"

static const struct field firmware_upload_query[] = {
	{ "deviceType", FIELD_STRING, .required = true, .max = BOUND(70),
	  .description = "the device type: light, or the agent's spelling esp32-light" },
	{ "version", FIELD_STRING, .required = true, .max = BOUND(64), .description = "like 0.1.32" },
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

/* POST /api/firmware?deviceType&version[&sha256] — the image as the body. */
static int firmware_upload(struct request *req)
{
	const char *type = req_query(req, "deviceType"), *version = req_query(req, "version");
	const char *sha256 = req_query(req, "sha256");
	const char *problem = firmware_type_problem(type);
	if (!problem)
		problem = firmware_version_problem(version);
	if (!problem && sha256)
		problem = firmware_sha256_problem(sha256);
	if (problem)
		return reply_error(req, 400, "%s", problem);
	if (!content_type_is_octet_stream(req->content_type))
		return reply_error(req, 415, "content-type: must be application/octet-stream");
	type = firmware_type_canonical(type);

	struct firmware_upload up;
	if (firmware_receive_or_reply(req, &up))
		return req->status;
	if (sha256 && strcasecmp(strncmp(sha256, "sha256:", 7) == 0 ? sha256 + 7 : sha256, up.sha256) != 0)
		return reply_error(req, 400, "sha256: does not match the uploaded image");

	const char *file_name = firmware_file_name(req, type, version);
	PGresult *row = db_run(req, firmwares_insert, type, version, file_name, db_param_long(req, up.size), up.sha256,
			       "upload");
	if (!row)
		return req->status;
	if (PQntuples(row) == 1)
		return firmware_install_or_reply(req, &up, file_name) ? req->status : reply_row(req, row, firmware_columns);

	/* That version is known: the same bytes are the same image (its file put back in place
	 * if it went missing), other bytes a conflict. */
	row = db_row(req, "firmware not found", firmwares_by_version, type, version);
	if (!row)
		return req->status;
	if (strcmp(db_value(row, 0, FIRMWARE_COL_SHA256), up.sha256) != 0)
		return reply_error(req, 409, "version: %s %s exists with other bytes", type, version);
	if (firmware_install_or_reply(req, &up, db_value(row, 0, FIRMWARE_COL_FILE_NAME)))
		return req->status;
	db_write_row(reply_json_status(req, 200), row, 0, firmware_columns);
	return reply_ok(req);
}

/* GET /api/firmware/:id/download — nginx sends the file. */
static int firmware_download(struct request *req)
{
	PGresult *row = db_row(req, "firmware not found", firmwares_by_id, req_param(req, "id"));
	if (!row)
		return req->status;
	return reply_file(req, firmware_internal_uri(req, db_value(row, 0, FIRMWARE_COL_FILE_NAME)));
}

/* DELETE /api/firmware/:id — the row, then the file, in the route's transaction. An image
 * an OTA update still uses must answer 409 "firmware: in use by an ota update": the OTA
 * tables do not exist yet; when they do, the check goes here, before the delete. */
static int firmware_delete(struct request *req)
{
	PGresult *row = db_row(req, "firmware not found", firmwares_delete, req_param(req, "id"));
	if (!row || firmware_remove_or_reply(req, db_value(row, 0, FIRMWARE_COL_FILE_NAME)))
		return req->status;
	return reply_empty(req);
}

static const struct route routes[] = {
	{ "GET", "/api/firmware", firmware_list, WHO_MEMBER, .reply = REPLY_ROWS(firmware_columns),
	  .summary = "Firmware images, by device type, newest first" },
	{ "GET", "/api/firmware/:id", firmware_get, WHO_MEMBER, .reply = REPLY_ROW(firmware_columns),
	  .summary = "One firmware image" },
	{ "POST", "/api/firmware", firmware_upload, WHO_ADMIN, .raw_body = true, .query = firmware_upload_query,
	  .tx = TX_WRITE, .status = 201, .status_alt = 200, .reply = REPLY_ROW(firmware_columns), .errors = ERR_409,
	  .summary = "Upload an ESP32 app image (application/octet-stream); the same bytes again answer 200" },
	{ "GET", "/api/firmware/:id/download", firmware_download, WHO_MEMBER | WHO_DEVICE, .reply = REPLY_FILE,
	  .summary = "The image's bytes, sent by nginx (Range, ETag, If-None-Match)" },
	{ "DELETE", "/api/firmware/:id", firmware_delete, WHO_ADMIN, .tx = TX_WRITE, .reply = REPLY_NONE,
	  .summary = "Remove an image and its file" },
	{ 0 },
};

WORKER_MAIN("firmware", routes, firmware_dir_ready);
