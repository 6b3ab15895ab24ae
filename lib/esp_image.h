/*
 * esp_image.h — is this file an ESP32 application image? (SPEC §4 firmware)
 *
 * The layout esptool writes and the ESP-IDF bootloader checks: a 24-byte header (magic
 * 0xE9, the segment count, flash settings, entry address, then the extended header whose
 * last byte says whether a SHA-256 is appended), the segments (an 8-byte header — load
 * address, length, little-endian — and that many bytes each), zero padding up to the last
 * byte of a 16-byte block, which is the checksum (0xEF XOR every byte of segment data),
 * and, when the flag is set, the SHA-256 of everything before it. Nothing may follow.
 *
 * Pure: the bytes come through a read callback (a file with pread in the firmware module,
 * a buffer in the unit test), sequentially in small pieces, so an image is never held in
 * memory whole.
 */
#ifndef STATION_ESP_IMAGE_H
#define STATION_ESP_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define ESP_IMAGE_MAGIC 0xE9
#define ESP_IMAGE_HEADER_LEN 24
#define ESP_IMAGE_MAX_SEGMENTS 16

/* Reads len bytes at offset into buf; 0, or -1 when it cannot. */
typedef int (*esp_image_read_fn)(void *ctx, uint64_t offset, void *buf, size_t len);

/*
 * NULL when the size bytes behind read form a valid image; otherwise the problem, as an
 * error message naming "image" ("image: segment 2 runs past the end of the file").
 */
const char *esp_image_check(struct arena *arena, uint64_t size, esp_image_read_fn read, void *ctx);

#endif
