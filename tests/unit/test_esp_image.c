/*
 * test_esp_image.c — the ESP32 app image check (lib/esp_image.c) on crafted images: a good
 * one with and without an appended SHA-256, and each way one can be wrong (magic, segment
 * count, a segment past the end, a truncated header, checksum, appended hash, trailing
 * bytes).
 */
#include <string.h>

#include "arena.h"
#include "crypto.h"
#include "esp_image.h"
#include "tap.h"

struct image {
	unsigned char bytes[8192];
	size_t len;
};

static int read_buffer(void *ctx, uint64_t offset, void *buf, size_t len)
{
	const struct image *img = ctx;
	if (offset + len > img->len)
		return -1;
	memcpy(buf, img->bytes + offset, len);
	return 0;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* An image of the given segment sizes, as esptool lays it out. */
static void craft(struct arena *a, struct image *img, const uint32_t *sizes, int count, bool hash)
{
	memset(img, 0, sizeof *img);
	unsigned char *p = img->bytes;
	p[0] = ESP_IMAGE_MAGIC;
	p[1] = (unsigned char)count;
	p[23] = hash ? 1 : 0;
	size_t at = ESP_IMAGE_HEADER_LEN;
	unsigned char checksum = 0xEF;
	for (int i = 0; i < count; i++) {
		put32(p + at, 0x3f400020u + (uint32_t)i * 0x1000);
		put32(p + at + 4, sizes[i]);
		at += 8;
		for (uint32_t j = 0; j < sizes[i]; j++) {
			p[at] = (unsigned char)(j * 7 + (uint32_t)i);
			checksum ^= p[at++];
		}
	}
	at += 15 - at % 16;
	p[at++] = checksum;
	if (hash) {
		struct sha256_stream *s = sha256_begin(a);
		sha256_update(s, p, at);
		sha256_final(s, p + at);
		at += 32;
	}
	img->len = at;
}

static const char *check(struct arena *a, struct image *img)
{
	return esp_image_check(a, img->len, read_buffer, img);
}

int main(void)
{
	struct arena *a = arena_new();
	struct image img;
	const uint32_t sizes[] = { 100, 5000, 4 };

	craft(a, &img, sizes, 3, true);
	ok(check(a, &img) == NULL, "a good image with an appended hash passes");
	craft(a, &img, sizes, 3, false);
	ok(check(a, &img) == NULL, "a good image without a hash passes");

	craft(a, &img, sizes, 3, true);
	img.bytes[0] = 0x7f;
	is_str(check(a, &img), "image: not an esp32 app image (first byte is not 0xe9)", "wrong magic");
	img.len = 0;
	is_str(check(a, &img), "image: not an esp32 app image (first byte is not 0xe9)", "empty file");

	craft(a, &img, sizes, 3, true);
	img.len = 10;
	is_str(check(a, &img), "image: header truncated", "truncated header");

	craft(a, &img, sizes, 3, true);
	img.bytes[1] = 0;
	is_str(check(a, &img), "image: segment count 0 is not between 1 and 16", "no segments");
	img.bytes[1] = 17;
	is_str(check(a, &img), "image: segment count 17 is not between 1 and 16", "too many segments");

	craft(a, &img, sizes, 3, true);
	img.len = 24 + 8 + 100 + 8 + 3000;
	is_str(check(a, &img), "image: segment 1 runs past the end of the file", "truncated segment");
	craft(a, &img, sizes, 3, true);
	put32(img.bytes + 24 + 4, 0xfffffff0u);
	is_str(check(a, &img), "image: segment 0 runs past the end of the file", "a huge segment length");

	craft(a, &img, sizes, 3, false);
	img.bytes[24 + 8 + 50] ^= 1;
	is_str(check(a, &img), "image: checksum does not match the segments", "a changed data byte");

	craft(a, &img, sizes, 3, true);
	img.bytes[img.len - 1] ^= 1;
	is_str(check(a, &img), "image: appended sha-256 does not match", "a changed appended hash");
	craft(a, &img, sizes, 3, true);
	img.len -= 5;
	is_str(check(a, &img), "image: appended sha-256 missing", "a cut appended hash");

	craft(a, &img, sizes, 3, true);
	img.len += 3;
	is_str(check(a, &img), "image: 3 bytes after the end of the image", "trailing bytes");

	arena_destroy(a);
	return done();
}
