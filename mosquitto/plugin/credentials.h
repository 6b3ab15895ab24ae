/*
 * credentials.h — the plugin's view of the station database: is this device token the
 * device's, what is the station id, and which device sessions must go because their
 * credentials changed (NOTIFY device_credentials).
 *
 * One libpq connection, opened on the first tick or login and reopened with a backoff
 * after a failure. Everything runs on the broker's single thread, so every call here is
 * short: a prepared statement on a local database, a non-blocking read of notifications.
 * It only reads the database (devices.external_id, devices.token_hash, station.id), and
 * never logs a password, token or hash.
 */
#ifndef STATION_MQTT_CREDENTIALS_H
#define STATION_MQTT_CREDENTIALS_H

struct credentials;

enum credentials_verdict {
	CREDENTIALS_VALID,       /* the database says: this is the device's token */
	CREDENTIALS_INVALID,     /* the database says: no such device, or another token */
	CREDENTIALS_UNAVAILABLE, /* the database could not be asked: refuse, the device retries */
};

/* conninfo: a libpq connection string (keywords or URI). NULL when out of memory. */
struct credentials *credentials_new(const char *conninfo);
void credentials_free(struct credentials *c);

/* Checks a device login (username = external id, password = token). Never logs either. */
enum credentials_verdict credentials_check_device(struct credentials *c, const char *external_id,
						  const char *password);

/* The station id (the MQTT topic's second level), or "" while it is not known. */
const char *credentials_station_id(const struct credentials *c);

/*
 * Called on every broker tick: reconnects when due, reads pending notifications and,
 * after a reconnection, compares the sessions let in with the devices table. Then calls
 * drop(external_id, reason, ctx) for each device whose sessions must be dropped.
 */
void credentials_tick(struct credentials *c, void (*drop)(const char *external_id, const char *reason, void *ctx),
		      void *ctx);

#endif
