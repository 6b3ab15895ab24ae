/*
 * log_limit.h — at most N log lines a second for one kind of complaint.
 *
 * A hostile or broken fleet can make mqttd drop thousands of messages a second; logging
 * each would fill the disk and drown the lines that matter. A limiter lets the first
 * lines of each second through and counts the rest, which the next line that passes
 * reports. It never drops the information that something was dropped.
 */
#ifndef MQTTD_LOG_LIMIT_H
#define MQTTD_LOG_LIMIT_H

#include <stdbool.h>

struct log_limit {
	unsigned per_second;
	long long second;              /* the second being counted (monotonic) */
	unsigned passed;               /* lines let through in it */
	unsigned long long silenced;   /* lines held back since the last one let through */
};

#define LOG_LIMIT(n) { .per_second = (n) }

/*
 * True when a line may be logged now; then *silenced is how many were held back
 * before it (0 usually), to be reported with it.
 */
bool log_limit_allow(struct log_limit *l, long long now_ms, unsigned long long *silenced);

#endif
