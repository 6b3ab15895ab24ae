/*
 * ota_job.h — starting OTA updates, for api-ota (POST /api/ota/jobs, firmware-ready with
 * autoOta) and api-firmware (POST /api/firmware/update): the download URL a device is
 * given, queueing the updates through the state machine (014_ota.sql) with their
 * ota.progress pushes, and the reply that says which devices were queued.
 */
#ifndef STATION_API_SHARED_OTA_JOB_H
#define STATION_API_SHARED_OTA_JOB_H

#include "runtime.h"

/*
 * Where a device downloads an image: <base>/api/firmware/<id>/download, base being
 * ota.base_url, else the scheme and Host of this request — a loopback host (the agent
 * on the station itself) replaced by mqtt.public_host when that is set (docs/ota.md).
 */
const char *ota_download_url(struct request *req, const char *firmware_id);

/* Announces each transition of res (rows of lib/ota.h) as an ota.progress push, in the
 * route's transaction. 0, or the status replied. */
int ota_announce_or_reply(struct request *req, const PGresult *res);

/*
 * Queues updates of device_ids (a JSON array of device ids of the image's type, or NULL:
 * every device of its type on another version) to firmware_id, except devices already
 * updating, and sends what ota.max_parallel allows at once. *queued: the logs of the
 * devices queued (ota_log_columns). 0, or the status replied.
 */
int ota_enqueue_or_reply(struct request *req, const char *firmware_id, const char *device_ids, PGresult **queued);

/* {queued:[OTA log…], skipped:[deviceId…]}: skipped are the requested ids (a JSON array,
 * or NULL) that were not queued because an update of that device is in progress. */
extern const struct field ota_job_reply[];
int reply_ota_job(struct request *req, const PGresult *queued, struct json_object *requested);

#endif
