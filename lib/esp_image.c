/*
 * esp_image.c — the ESP32 application image check (esp_image.h): one sequential pass
 * over the file, header, segments, checksum and appended hash, with a 4 KiB buffer.
 */
#include "esp_image.h"

#include <string.h>

#include "crypto.h"

#define CHUNK 4096
#define HASH_APPENDED_OFFSET 23

struct cursor {
	esp_image_read_fn read;
	void *ctx;
	uint64_t offset, size;
	struct sha256_stream *sha; /* of every byte taken */
	unsigned char checksum;    /* XOR of segment data */
	const char *problem;       /* a read failed */
};

/* Takes the next n bytes (n <= CHUNK) into buf; false at the end of the file or on error. */
static bool take(struct cursor *c, unsigned char *buf, size_t n)
{
	if (n > c->size - c->offset)
		return false;
	if (c->read(c->ctx, c->offset, buf, n) != 0) {
		c->problem = "image: cannot be read";
		return false;
	}
	sha256_update(c->sha, buf, n);
	c->offset += n;
	return true;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The data of one segment: into the checksum. */
static bool take_segment_data(struct cursor *c, uint32_t len)
{
	unsigned char buf[CHUNK];
	while (len > 0) {
		size_t n = len < CHUNK ? len : CHUNK;
		if (!take(c, buf, n))
			return false;
		for (size_t i = 0; i < n; i++)
			c->checksum ^= buf[i];
		len -= (uint32_t)n;
	}
	return true;
}

const char *esp_image_check(struct arena *arena, uint64_t size, esp_image_read_fn read, void *ctx)
{
	struct cursor c = { .read = read, .ctx = ctx, .size = size, .sha = sha256_begin(arena), .checksum = 0xEF };
	unsigned char header[ESP_IMAGE_HEADER_LEN], buf[CHUNK];
	if (!take(&c, header, 1) || header[0] != ESP_IMAGE_MAGIC)
		return c.problem ? c.problem : "image: not an esp32 app image (first byte is not 0xe9)";
	if (!take(&c, header + 1, ESP_IMAGE_HEADER_LEN - 1))
		return c.problem ? c.problem : "image: header truncated";
	int segments = header[1];
	if (segments == 0 || segments > ESP_IMAGE_MAX_SEGMENTS)
		return arena_printf(arena, "image: segment count %d is not between 1 and %d", segments,
				    ESP_IMAGE_MAX_SEGMENTS);
	bool hash_appended = header[HASH_APPENDED_OFFSET] == 1;
	for (int i = 0; i < segments; i++) {
		unsigned char segment[8];
		if (!take(&c, segment, sizeof segment))
			return c.problem ? c.problem : arena_printf(arena, "image: segment %d header runs past the end of the file", i);
		uint32_t len = le32(segment + 4);
		if (len > c.size - c.offset)
			return arena_printf(arena, "image: segment %d runs past the end of the file", i);
		if (!take_segment_data(&c, len))
			return c.problem ? c.problem : arena_printf(arena, "image: segment %d runs past the end of the file", i);
	}
	/* Padding, then the checksum as the last byte of a 16-byte block. */
	size_t pad = (size_t)(15 - c.offset % 16);
	if (!take(&c, buf, pad + 1))
		return c.problem ? c.problem : "image: checksum byte missing";
	if (buf[pad] != c.checksum)
		return "image: checksum does not match the segments";
	if (hash_appended) {
		unsigned char computed[32], appended[32];
		sha256_final(c.sha, computed);
		if (c.size - c.offset < sizeof appended || c.read(c.ctx, c.offset, appended, sizeof appended) != 0)
			return "image: appended sha-256 missing";
		c.offset += sizeof appended;
		if (memcmp(computed, appended, sizeof computed) != 0)
			return "image: appended sha-256 does not match";
	}
	if (c.offset != c.size)
		return arena_printf(arena, "image: %llu bytes after the end of the image",
				    (unsigned long long)(c.size - c.offset));
	return NULL;
}
