/*
 * decimal.c — integers to decimal text without printf (see decimal.h).
 *
 * Two digits per division, from a table of the hundred pairs, written from the end.
 * The one place the station turns an integer into digits on a hot path: the JSON
 * writer, the timestamp writer and the response headers all come here.
 */
#include "decimal.h"

#include <string.h>

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The digits of v into out (room for 20 and the NUL); their number. */
static size_t digits_of(char *out, unsigned long long v)
{
	char tmp[DECIMAL_MAX];
	char *p = tmp + sizeof tmp;
	while (v >= 100) {
		unsigned pair = (unsigned)(v % 100) * 2;
		v /= 100;
		*--p = digit_pairs[pair + 1];
		*--p = digit_pairs[pair];
	}
	if (v >= 10) {
		*--p = digit_pairs[v * 2 + 1];
		*--p = digit_pairs[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	size_t n = (size_t)(tmp + sizeof tmp - p);
	memcpy(out, p, n);
	out[n] = '\0';
	return n;
}

size_t decimal_u64(char out[DECIMAL_MAX], unsigned long long v)
{
	return digits_of(out, v);
}

size_t decimal_i64(char out[DECIMAL_MAX], long long v)
{
	if (v >= 0)
		return digits_of(out, (unsigned long long)v);
	out[0] = '-';
	/* 0 - v as unsigned: LLONG_MIN has no positive long long. */
	return 1 + digits_of(out + 1, 0ULL - (unsigned long long)v);
}

void decimal_fixed(char *out, unsigned long long v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}
