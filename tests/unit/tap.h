/*
 * tap.h — the smallest TAP producer: ok(), is_str(), done(). Unit tests of pure code
 * print TAP, which automake's tap-driver.sh reads (`make check`).
 */
#ifndef STATION_TAP_H
#define STATION_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define ok(cond, ...)                                                       \
	do {                                                                \
		tap_count++;                                                \
		if (!(cond))                                                \
			tap_failed++;                                       \
		printf("%sok %d - ", (cond) ? "" : "not ", tap_count);      \
		printf(__VA_ARGS__);                                        \
		printf("\n");                                               \
	} while (0)

#define is_str(got, want, ...)                                                   \
	do {                                                                     \
		const char *g_ = (got), *w_ = (want);                            \
		int same_ = (g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0); \
		ok(same_, __VA_ARGS__);                                          \
		if (!same_)                                                      \
			printf("#   got:  %s\n#   want: %s\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} while (0)

static inline int done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
