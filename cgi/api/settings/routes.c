/*
 * routes.c — api-settings: the station's own settings (SPEC §4 settings, docs/settings.md).
 *
 * Members read them; owners and admins change them; the station-agent (and nobody else)
 * reports the Wi-Fi the station is on, which provisioning hands to new devices. The
 * Wi-Fi password is sealed (lib/secretbox.h) with the key of settings.secret_key_file,
 * loaded once at start (a worker without it does not start), before it reaches the
 * database; no response, push or log line carries it, in clear or sealed: answers say
 * only whether there is one.
 */
#include <libpq-fe.h>
#include <string.h>

#include "json_reader.h"
#include "runtime.h"
#include "repo.h"
#include "secretbox.h"
#include "service.h"

/* What the sealed password is bound to: a sealed value copied elsewhere does not open. */
#define WIFI_PASSWORD_CONTEXT "station_settings.wifi_password"

static struct secretbox_key wifi_key;

static const char *const temperature_units[] = { "C", "F", NULL };

static const struct field settings_patch_body[] = {
	{ "stationName", FIELD_STRING, .min = BOUND(1), .max = BOUND(100), .check = schema_not_blank },
	{ "timezone", FIELD_STRING, .min = BOUND(1), .max = BOUND(64), .check = settings_timezone_check,
	  .description = "a zone of the zoneinfo database, like Europe/Paris" },
	{ "locale", FIELD_STRING, .max = BOUND(64), .check = settings_locale_check,
	  .description = "a BCP 47 language tag, like en or de-CH" },
	{ "temperatureUnit", FIELD_ENUM, .values = temperature_units },
	{ "autoOta", FIELD_BOOL, .description = "update devices as soon as the agent brings newer firmware" },
	{ 0 },
};

/* PUT|POST /api/settings/agent — a Wi-Fi network name is at most 32 bytes (802.11); no
 * password, null or "" is an open network. */
static const struct field settings_agent_body[] = {
	{ "ssid", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(32), .bytes = true },
	{ "password", FIELD_STRING, .nullable = true, .max = BOUND(64), .bytes = true },
	{ 0 },
};

static const struct field settings_reply[] = {
	{ "stationId", FIELD_UUID },
	{ "stationName", FIELD_STRING },
	{ "timezone", FIELD_STRING },
	{ "locale", FIELD_STRING },
	{ "temperatureUnit", FIELD_ENUM, .values = temperature_units },
	{ "autoOta", FIELD_BOOL },
	{ "provisioningWifi", FIELD_OBJECT, .columns = provisioning_wifi_columns,
	  .description = "the Wi-Fi the station-agent reported; its password is never returned" },
	{ 0 },
};

/* The settings object of a settings_get/settings_update row. */
static int reply_settings(struct request *req, const PGresult *res)
{
	if (!res)
		return req->status;
	if (PQntuples(res) == 0)
		return reply_error(req, 500, "no station row: station-migrate has not run");
	struct jw *w = reply_json(req);
	jw_object_begin(w);
	db_write_members(w, res, 0, settings_columns);
	jw_key(w, "provisioningWifi");
	jw_object_begin(w);
	jw_member_string(w, "ssid", db_value(res, 0, SETTINGS_COL_WIFI_SSID));
	jw_member_bool(w, "hasPassword", db_bool(res, 0, SETTINGS_COL_WIFI_HAS_PASSWORD));
	jw_object_end(w);
	jw_object_end(w);
	return reply_ok(req);
}

/* GET /api/settings */
static int settings_get_handler(struct request *req)
{
	return reply_settings(req, db_run(req, settings_get));
}

/* PATCH /api/settings {stationName?, timezone?, locale?, temperatureUnit?, autoOta?} */
static int settings_patch(struct request *req)
{
	bool auto_ota_value;
	const char *auto_ota = json_get_bool(req->body, "autoOta", &auto_ota_value) ? db_param_bool(auto_ota_value) : NULL;
	if (!body_has(req, "stationName") && !body_has(req, "timezone") && !body_has(req, "locale") &&
	    !body_has(req, "temperatureUnit") && !auto_ota)
		return reply_error(req, 400, "body: nothing to update");
	return reply_settings(req, db_run(req, settings_update, body_string(req, "stationName"), body_string(req, "timezone"),
					  body_string(req, "locale"), body_string(req, "temperatureUnit"), auto_ota));
}

/* PUT|POST /api/settings/agent {ssid, password?} → {ssid, hasPassword}. */
static int settings_agent(struct request *req)
{
	const char *password = body_string(req, "password"), *sealed = NULL;
	if (password && *password) {
		sealed = secretbox_seal(req->arena, &wifi_key, WIFI_PASSWORD_CONTEXT, password, strlen(password));
		if (!sealed)
			return reply_error(req, 500, "cannot seal the password");
	}
	return reply_row(req, db_run(req, settings_set_provisioning_wifi, body_string(req, "ssid"), sealed),
			 provisioning_wifi_columns);
}

/* The agent's route, one declaration for both methods it is reached by. */
#define SETTINGS_AGENT_ROUTE(method, summary_)                                                    \
	{ method, "/api/settings/agent", settings_agent, WHO_AGENT, .body = settings_agent_body, \
	  .reply = REPLY_ROW(provisioning_wifi_columns), .summary = summary_ }

static const struct route routes[] = {
	{ "GET", "/api/settings", settings_get_handler, WHO_MEMBER, .reply = REPLY_OBJECT(settings_reply),
	  .summary = "The station's settings; secrets are never returned" },
	{ "PATCH", "/api/settings", settings_patch, WHO_ADMIN, .body = settings_patch_body,
	  .reply = REPLY_OBJECT(settings_reply), .summary = "Change the station's name, time zone, locale, units or autoOta" },
	SETTINGS_AGENT_ROUTE("PUT", "The station-agent reports the Wi-Fi new devices are given"),
	SETTINGS_AGENT_ROUTE("POST", "The same as PUT (what the shipped station-agent sends)"),
	{ 0 },
};

/* At start: the key of the sealed password (settings.secret_key_file). */
static int settings_start(void)
{
	return secretbox_key_load(&wifi_key, "settings.secret_key_file");
}

WORKER_MAIN("settings", routes, settings_start);
