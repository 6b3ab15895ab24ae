/*
 * chunked.h — a body in memory handed out at most `step` bytes per read, for the tests and
 * the fuzz harness of streaming readers (the multipart reader of image uploads), so that
 * every way a body can be cut between two reads is tried.
 */
#ifndef STATION_TEST_CHUNKED_H
#define STATION_TEST_CHUNKED_H

#include <stddef.h>
#include <string.h>

struct chunked {
	const void *data;
	size_t len, at, step;
};

/* A reader (ctx: a struct chunked): the next bytes, at most step and cap; 0 at the end. */
static inline long chunked_read(void *ctx, void *buf, size_t cap)
{
	struct chunked *c = ctx;
	size_t n = c->len - c->at;
	if (n > c->step)
		n = c->step;
	if (n > cap)
		n = cap;
	memcpy(buf, (const char *)c->data + c->at, n);
	c->at += n;
	return (long)n;
}

#endif
