/*
 * fuzz.h — what every libFuzzer harness of tools/fuzz/ shares: the entry point's
 * prototype, a NUL-terminated copy of the input (most parsers read C strings, as nginx,
 * libpq and libmosquitto hand them over), and FUZZ_CHECK, an invariant that aborts with
 * its text so libFuzzer keeps the input as a crash.
 *
 * A harness owns one arena per input and destroys it, so LeakSanitizer sees anything a
 * parser allocates outside it. Harnesses never write files and never log on success.
 */
#ifndef STATION_FUZZ_H
#define STATION_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                     \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, \
				__LINE__);                                                   \
			abort();                                                             \
		}                                                                            \
	} while (0)

/* data[0..size) up to its first NUL, as a C string in the arena. */
static inline char *fuzz_text(struct arena *arena, const uint8_t *data, size_t size)
{
	return arena_strndup(arena, (const char *)data, size);
}

/* The part of data[0..size) before the first '\n' (*rest, *rest_size: what follows it;
 * empty when there is none), as a C string in the arena. Splits one input into several. */
static inline char *fuzz_line(struct arena *arena, const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n = nl ? (size_t)(nl - *data) : *size;
	char *line = arena_strndup(arena, (const char *)*data, n);
	*data += nl ? n + 1 : n;
	*size -= nl ? n + 1 : n;
	return line;
}

#endif
