/*
 * decimal.h — integers to decimal text without printf.
 *
 * The hot path of a response writes a number per value (JSON integers, the digits of a
 * timestamp, Content-Length); vfprintf parses its format for each of them. These write
 * the digits straight away. They never allocate and never fail.
 */
#ifndef STATION_DECIMAL_H
#define STATION_DECIMAL_H

#include <stddef.h>

/* Room for the longest text decimal_i64 writes ("-9223372036854775808") and its NUL. */
#define DECIMAL_MAX 21

/* Writes v in decimal and a NUL into out; returns the number of characters (no NUL). */
size_t decimal_u64(char out[DECIMAL_MAX], unsigned long long v);
size_t decimal_i64(char out[DECIMAL_MAX], long long v);
/* Writes exactly width digits of v, zero-padded on the left (the low digits when v has
 * more); no NUL. For fixed-width fields: "2026", "05", "123". */
void decimal_fixed(char *out, unsigned long long v, int width);

#endif
