/*
 * secret_file.h — the password of the station's own daemons (mqttd), checked against the
 * secret file they read it from (mqtt.daemon_password_file, first line).
 *
 * The file is read at each daemon login, so a new secret takes effect without restarting
 * the broker. Never logs the secret or the presented password.
 */
#ifndef STATION_MQTT_SECRET_FILE_H
#define STATION_MQTT_SECRET_FILE_H

enum secret_verdict {
	SECRET_MATCH,
	SECRET_MISMATCH,
	SECRET_UNREADABLE, /* missing, unreadable or empty file: logged, the login refused */
};

/* Compares password with the file's first line (trimmed) in constant time. */
enum secret_verdict secret_file_check(const char *path, const char *password);

#endif
