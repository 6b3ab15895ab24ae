/*
 * ota_job.c — starting OTA updates (ota_job.h). No SQL here: the statements are
 * ota_repo.c's, the transitions the database's (014_ota.sql).
 */
#include "ota_job.h"

#include <string.h>

#include "config.h"
#include "json_reader.h"
#include "ota_repo.h"

static const struct field ota_log_item = { "log", FIELD_OBJECT, .columns = ota_log_columns };
static const struct field device_id_item = { "deviceId", FIELD_UUID };
const struct field ota_job_reply[] = {
	{ "queued", FIELD_ARRAY, .items = &ota_log_item,
	  .description = "the updates queued, one per device (pending, or sent at once when a slot was free)" },
	{ "skipped", FIELD_ARRAY, .items = &device_id_item,
	  .description = "requested devices left out: an update of each is in progress already" },
	{ 0 },
};

static bool is_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0;
}

const char *ota_download_url(struct request *req, const char *firmware_id)
{
	const char *base = cfg_string("ota.base_url");
	if (!*base) {
		const char *host = req->host && *req->host ? req->host : "localhost";
		const char *name = req_host_name(req), *public_host = cfg_string("mqtt.public_host");
		if (name && is_loopback(name) && *public_host) {
			/* Keep the port the request came to: "127.0.0.1:8080", "[::1]:8080". */
			const char *port = strrchr(host, ':');
			if (port && (host[0] == '[' ? port < strchr(host, ']') : strchr(host, ':') != port))
				port = NULL;
			host = arena_printf(req->arena, "%s%s", public_host, port ? port : "");
		}
		base = arena_printf(req->arena, "%s://%s", req->scheme && *req->scheme ? req->scheme : "http", host);
	}
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return arena_printf(req->arena, "%.*s/api/firmware/%s/download", (int)n, base, firmware_id);
}

int ota_announce_or_reply(struct request *req, const PGresult *res)
{
	return announce_rows_or_reply(req, "ota.progress", res, ota_progress_columns, OTA_PROGRESS_COL_DEVICE_NAME);
}

/* The ids of the pending transitions of res (each a newly queued log), as a JSON array. */
static const char *queued_ids(struct request *req, const PGresult *res)
{
	struct jw_text text;
	struct jw *w = jw_text_begin(&text, req->arena);
	jw_array_begin(w);
	for (int row = 0; row < PQntuples(res); row++)
		if (strcmp(db_value(res, row, OTA_PROGRESS_COL_STATUS), "pending") == 0)
			jw_string(w, db_value(res, row, OTA_PROGRESS_COL_ID));
	jw_array_end(w);
	return text.b.data;
}

int ota_enqueue_or_reply(struct request *req, const char *firmware_id, const char *device_ids, PGresult **queued)
{
	PGresult *moved = db_run(req, ota_enqueue_call, firmware_id, device_ids, ota_download_url(req, firmware_id),
				 db_param_long(req, cfg_int("ota.max_parallel")));
	if (!moved || ota_announce_or_reply(req, moved))
		return req->status;
	*queued = db_run(req, ota_logs_by_ids, queued_ids(req, moved));
	return *queued ? 0 : req->status;
}

static bool was_queued(const PGresult *queued, const char *device_id)
{
	for (int row = 0; row < PQntuples(queued); row++)
		if (strcmp(db_value(queued, row, OTA_LOG_COL_DEVICE_ID), device_id) == 0)
			return true;
	return false;
}

int reply_ota_job(struct request *req, const PGresult *queued, struct json_object *requested)
{
	struct jw *w = reply_json(req);
	jw_object_begin(w);
	jw_key(w, "queued");
	db_write_rows(w, queued, ota_log_columns);
	jw_key(w, "skipped");
	jw_array_begin(w);
	size_t n = requested ? json_object_array_length(requested) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *id = json_object_get_string(json_object_array_get_idx(requested, i));
		if (!was_queued(queued, id))
			jw_string(w, id);
	}
	jw_array_end(w);
	jw_object_end(w);
	return reply_ok(req);
}
