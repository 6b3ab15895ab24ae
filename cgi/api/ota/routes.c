/*
 * routes.c — api-ota: over-the-air updates of devices (SPEC §4 ota, docs/ota.md).
 *
 * Owners and admins start updates (POST /jobs) and everyone in the household reads the
 * log (GET /logs, paged like the device-events feed). The station-agent asks which types
 * and versions are in use (GET /device-types) and says when it has put an image in the
 * firmware cache (POST /firmware-ready): the file is checked on disk and registered, and
 * with autoOta on, devices on older versions are updated. Devices ask whether a newer
 * image exists (GET /check) and say how an update went (POST /report), each for itself.
 *
 * Every change of an update's state is the database's (014_ota.sql): this worker calls a
 * function and announces what it returned (ota.progress).
 */
#include <libpq-fe.h>
#include <string.h>

#include "api/shared/firmware_repo.h"
#include "api/shared/firmware_store.h"
#include "api/shared/ota_job.h"
#include "api/shared/ota_repo.h"
#include "api/shared/page_cursor.h"
#include "config.h"
#include "json_reader.h"
#include "repo.h"
#include "runtime.h"
#include "service.h"

/* POST /api/ota/jobs {firmwareId, deviceIds?} */
static const struct field device_id_item = { "deviceId", FIELD_UUID };
static const struct field job_body[] = {
	{ "firmwareId", FIELD_UUID, .required = true },
	{ "deviceIds", FIELD_ARRAY, .min = BOUND(1), .max = BOUND(1000), .items = &device_id_item,
	  .check = schema_unique_items_check,
	  .description = "devices of the image's type; absent: every one on another version" },
	{ 0 },
};

static int job_create(struct request *req)
{
	const char *firmware_id = body_string(req, "firmwareId");
	struct json_object *ids = json_get_array(req->body, "deviceIds");
	PGresult *image = db_row(req, "firmware not found", ota_firmware, firmware_id), *queued;
	if (!image)
		return req->status;
	const char *ids_json = ids ? json_text(req->arena, ids) : NULL;
	if (ids) {
		const char *type = db_value(image, 0, OTA_FIRMWARE_COL_TYPE);
		PGresult *strangers = db_run(req, ota_devices_not_of_type, ids_json, type);
		if (!strangers)
			return req->status;
		if (PQntuples(strangers) > 0) /* (index, id): the first one names the field */
			return reply_error(req, 400, "deviceIds[%s]: not a %s device", db_value(strangers, 0, 0), type);
	}
	if (ota_enqueue_or_reply(req, firmware_id, ids_json, &queued))
		return req->status;
	return reply_ota_job(req, queued, ids);
}

/* GET /api/ota/logs?limit&before */
static const struct field log_query[] = {
	PAGE_QUERY_FIELDS,
	{ 0 },
};

static int log_list(struct request *req)
{
	struct page page;
	if (page_or_reply(req, PAGE_MAX, PAGE_DEFAULT, &page))
		return req->status;
	PGresult *res = db_run(req, ota_logs_page, page.before, page.before_id, page.fetch);
	const char *next = page_next_cursor(req, res, page.limit, OTA_LOG_COL_CURSOR_US, OTA_LOG_COL_ID);
	return reply_page(req, res, (int)page.limit, ota_log_columns, next);
}

/* GET /api/ota/device-types — what the station-agent should fetch. */
static int device_types(struct request *req)
{
	return reply_rows(req, db_run(req, ota_device_types), ota_device_type_columns);
}

/* POST /api/ota/firmware-ready {type,version,file,checksum} */
static const struct field ready_body[] = {
	{ "type", FIELD_STRING, .required = true, .max = BOUND(70), .description = "light, or esp32-light" },
	{ "version", FIELD_STRING, .required = true, .max = BOUND(64) },
	{ "file", FIELD_STRING, .required = true, .max = BOUND(255),
	  .description = "the file's name in the firmware cache (firmware.dir)" },
	{ "checksum", FIELD_STRING, .required = true, .max = BOUND(71), .description = "sha256:<hex>" },
	{ 0 },
};

static const struct field ready_reply[] = {
	{ "firmware", FIELD_OBJECT, .columns = firmware_columns },
	{ "queued", FIELD_ARRAY, .items = &(const struct field){ "log", FIELD_OBJECT,
										     .columns = ota_log_columns },
	  .description = "updates started because autoOta is on (devices on older versions)" },
	{ 0 },
};

static int firmware_ready(struct request *req)
{
	const char *type = body_string(req, "type"), *version = body_string(req, "version");
	const char *file = body_string(req, "file"), *checksum = body_string(req, "checksum");
	const char *problem = firmware_names_problem(req->arena, "type", type, version, NULL);
	if (!problem)
		problem = ota_cache_name_problem(file);
	if (!problem && firmware_sha256_problem(checksum))
		problem = "checksum: must be sha256:<64 hex digits>";
	if (problem)
		return reply_error(req, 400, "%s", problem);
	type = firmware_type_canonical(type);

	struct firmware_upload checked;
	if (firmware_check_file_or_reply(req, file, &checked))
		return req->status;
	if (!firmware_sha256_matches(checksum, checked.sha256))
		return reply_error(req, 400, "checksum: does not match the file (sha256:%s)", checked.sha256);
	PGresult *image, *auto_ota, *older, *queued = NULL;
	bool created;
	if (firmware_register_or_reply(req, type, version, file, &checked, "agent", &image, &created) ||
	    !(auto_ota = db_run(req, ota_auto_enabled)))
		return req->status;
	if (created && db_bool(auto_ota, 0, 0)) {
		if (!(older = db_run(req, ota_devices_older, type, version)) ||
		    ota_enqueue_or_reply(req, db_value(image, 0, FIRMWARE_COL_ID), db_value(older, 0, 0), &queued))
			return req->status;
	}
	struct jw *w = reply_json_status(req, created ? 201 : 200);
	jw_object_begin(w);
	jw_key(w, "firmware");
	db_write_row(w, image, 0, firmware_columns);
	jw_key(w, "queued");
	if (queued)
		db_write_rows(w, queued, ota_log_columns);
	else
		jw_raw(w, "[]");
	jw_object_end(w);
	return reply_ok(req);
}

/* GET /api/ota/check?device_id&device_type&chip&current_version — a device asks. */
static const struct field check_query[] = {
	{ "device_id", FIELD_STRING, .required = true, .max = BOUND(128),
	  .description = "the device's id or its external id (its own)" },
	{ "device_type", FIELD_STRING, .max = BOUND(70), .description = "light, or esp32-light" },
	{ "chip", FIELD_STRING, .max = BOUND(64) },
	{ "current_version", FIELD_STRING, .max = BOUND(64), .description = "absent: the version of its last handshake" },
	{ 0 },
};
/* SPEC §4: {updateAvailable:false}, or {updateAvailable:true, version, downloadUrl,
 * firmwareId, sha256}: the four are there exactly when an update is. */
static const struct field check_reply[] = {
	{ "updateAvailable", FIELD_BOOL },
	{ "version", FIELD_STRING, .optional = true },
	{ "downloadUrl", FIELD_STRING, .optional = true },
	{ "firmwareId", FIELD_UUID, .optional = true },
	{ "sha256", FIELD_STRING, .optional = true },
	{ 0 },
};

static int check(struct request *req)
{
	const char *type = req_query(req, "device_type"), *current = req_query(req, "current_version");
	if (ota_own_device_or_reply(req, "device_id", req_query(req, "device_id")))
		return req->status;
	if (type && firmware_type_problem(type))
		return reply_error(req, 400, "device_type: %s", firmware_type_problem(type));
	PGresult *device = db_row(req, "device not found", firmware_device, req->caller.device_id), *newer;
	if (!device)
		return req->status;
	if (!current)
		current = db_value(device, 0, FIRMWARE_DEVICE_COL_VERSION);
	if (!(newer = db_run(req, ota_newer_firmware, db_value(device, 0, FIRMWARE_DEVICE_COL_TYPE), current)))
		return req->status;
	struct jw *w = reply_json(req);
	jw_object_begin(w);
	jw_member_bool(w, "updateAvailable", PQntuples(newer) > 0);
	if (PQntuples(newer) > 0) {
		const char *id = db_value(newer, 0, OTA_NEWER_COL_ID);
		jw_member_string(w, "version", db_value(newer, 0, OTA_NEWER_COL_VERSION));
		jw_member_string(w, "downloadUrl", ota_download_url(req, id));
		jw_member_string(w, "firmwareId", id);
		jw_member_string(w, "sha256", db_value(newer, 0, OTA_NEWER_COL_SHA256));
	}
	jw_object_end(w);
	return reply_ok(req);
}

/* POST /api/ota/report {deviceId,firmwareId,success,error?} — a device says how it went. */
static const struct field report_body[] = {
	{ "deviceId", FIELD_STRING, .required = true, .max = BOUND(128),
	  .description = "the device's id or its external id (its own)" },
	{ "firmwareId", FIELD_UUID, .required = true },
	{ "success", FIELD_BOOL, .required = true },
	{ "error", FIELD_STRING, .max = BOUND(500) },
	{ 0 },
};

static int report(struct request *req)
{
	const char *firmware_id = body_string(req, "firmwareId");
	bool success = false;
	json_get_bool(req->body, "success", &success);
	if (ota_own_device_or_reply(req, "deviceId", body_string(req, "deviceId")) ||
	    !db_row(req, "firmware not found", ota_firmware, firmware_id))
		return req->status;
	PGresult *moved = db_run(req, ota_report_call, req->caller.device_id, firmware_id, db_param_bool(success),
				 success ? NULL : body_string(req, "error"),
				 db_param_long(req, cfg_int("ota.max_parallel")));
	if (!moved || ota_announce_or_reply(req, moved))
		return req->status;
	return reply_empty(req);
}

static const struct route routes[] = {
	{ "POST", "/api/ota/jobs", job_create, WHO_ADMIN, .body = job_body, .tx = TX_WRITE, .status = 202,
	  .reply = REPLY_OBJECT(ota_job_reply), .errors = ERR_400 | ERR_404,
	  .summary = "Update devices to an image: the listed ones, or every device of its type on another version" },
	{ "GET", "/api/ota/logs", log_list, WHO_MEMBER, .query = log_query, .reply = REPLY_PAGE(ota_log_columns),
	  .summary = "OTA updates, newest first, paged" },
	{ "GET", "/api/ota/device-types", device_types, WHO_AGENT, .reply = REPLY_ROWS(ota_device_type_columns),
	  .summary = "Device types in use, their versions and newest image: what the station-agent should fetch" },
	{ "POST", "/api/ota/firmware-ready", firmware_ready, WHO_AGENT, .body = ready_body, .tx = TX_WRITE,
	  .status = 201, .status_alt = 200, .reply = REPLY_OBJECT(ready_reply), .errors = ERR_400 | ERR_404 | ERR_409,
	  .summary = "Register an image the station-agent put in the firmware cache (checked on disk); autoOta updates older devices" },
	{ "GET", "/api/ota/check", check, WHO_DEVICE, .query = check_query, .reply = REPLY_OBJECT(check_reply),
	  .errors = ERR_400 | ERR_403 | ERR_404, .summary = "A device asks whether a newer image of its type exists" },
	{ "POST", "/api/ota/report", report, WHO_DEVICE, .body = report_body, .tx = TX_WRITE, .reply = REPLY_NONE,
	  .errors = ERR_403 | ERR_404, .summary = "A device reports how its update went" },
	{ 0 },
};

WORKER_MAIN("ota", routes, NULL);
