/*
 * simlog.h — devsim's logger: JSON lines on stderr in the project's shape
 * ({"ts","level","msg","module":"devsim",…}), so the same tools read every log.
 *
 * devsim is standalone (it does not link libstation), hence this small copy. Extra
 * fields are key/value string pairs ending with NULL. Never pass a device token.
 */
#ifndef DEVSIM_SIMLOG_H
#define DEVSIM_SIMLOG_H

enum simlog_level { SIMLOG_DEBUG, SIMLOG_INFO, SIMLOG_WARN, SIMLOG_ERROR };

void simlog_set_level(enum simlog_level level);
int simlog_parse_level(const char *name, enum simlog_level *out);
int simlog_enabled(enum simlog_level level);

/* simlog(SIMLOG_INFO, "device connected", "deviceId", id, NULL) */
void simlog(enum simlog_level level, const char *msg, ...) __attribute__((sentinel));

#endif
