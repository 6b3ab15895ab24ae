/*
 * log.h — the one logger: JSON lines on stderr, journald-friendly.
 *
 * Every line carries ts, level, msg, module and (inside a request) requestId. Extra
 * fields are added as key/value string pairs ending with NULL. Never pass a token,
 * password or hash to the logger: nothing here can tell a secret from a name.
 */
#ifndef STATION_LOG_H
#define STATION_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_init(const char *module);
void log_set_level(enum log_level level);
int log_parse_level(const char *name, enum log_level *out);
/* The id of the request in hand; NULL between requests. The pointer must outlive it. */
void log_set_request_id(const char *request_id);

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A message with extra string fields: log_fields(LOG_INFO, "device online", "deviceId", id, NULL). */
void log_fields(enum log_level level, const char *msg, ...) __attribute__((sentinel));

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)

#endif
