/*
 * repo.h — SQL of the settings module (api-settings): the station's settings row
 * (station_settings) and its name (station.name).
 *
 * Statements are declared here with their parameters and run with db_run(). Nothing
 * here replies, decides rules or sees a password in clear: the Wi-Fi password arrives
 * sealed (lib/secretbox.h) and leaves only as "is there one".
 */
#ifndef STATION_API_SETTINGS_REPO_H
#define STATION_API_SETTINGS_REPO_H

#include "statement.h"

/* {stationId,stationName,timezone,locale,temperatureUnit,autoOta}, followed by the Wi-Fi
 * columns SETTINGS_COL_WIFI_SSID and SETTINGS_COL_WIFI_HAS_PASSWORD. */
extern const struct db_column settings_columns[];
enum { SETTINGS_COL_WIFI_SSID = 6, SETTINGS_COL_WIFI_HAS_PASSWORD };
/* provisioningWifi: {ssid,hasPassword} */
extern const struct db_column provisioning_wifi_columns[];

/* The settings (settings_columns + Wi-Fi); no row until station-migrate has run. */
STATEMENT_DECLARE(settings_get, 0);
/* $1 station name (trimmed), $2 timezone, $3 locale, $4 temperature unit, $5 autoOta
 * ("true"/"false"): NULL keeps a value → the settings, as settings_get. */
STATEMENT_DECLARE(settings_update, 5);
/* $1 ssid, $2 sealed password (NULL: an open network) → provisioning_wifi_columns. */
STATEMENT_DECLARE(settings_set_provisioning_wifi, 2);

#endif
