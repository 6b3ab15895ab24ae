/*
 * log_limit.c — a per-second budget of log lines (see log_limit.h). No I/O.
 */
#include "infrastructure/log_limit.h"

bool log_limit_allow(struct log_limit *l, long long now_ms, unsigned long long *silenced)
{
	long long second = now_ms / 1000;
	if (second != l->second) {
		l->second = second;
		l->passed = 0;
	}
	if (l->passed >= l->per_second) {
		l->silenced++;
		return false;
	}
	l->passed++;
	*silenced = l->silenced;
	l->silenced = 0;
	return true;
}
