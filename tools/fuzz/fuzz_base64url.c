/*
 * fuzz_base64url.c — unpadded base64url (lib/crypto.c), the form of tokens, JWT parts and
 * cursors: base64url_decode must accept exactly what base64url_encode writes.
 *
 * Invariants: input that decodes re-encodes to the same text; any bytes encode to text
 * that decodes back to them; a buffer one byte short is refused, never overrun.
 */
#include "crypto.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	size_t cap = size / 4 * 3 + 3;
	unsigned char *out = arena_alloc(a, cap);
	long n = base64url_decode((const char *)data, size, out, cap);
	if (n >= 0) {
		FUZZ_CHECK((size_t)n <= cap);
		const char *again = base64url_encode(a, out, (size_t)n);
		FUZZ_CHECK(strlen(again) == size && memcmp(again, data, size) == 0);
		if (n > 0) {
			/* Exactly one byte short, on the heap: ASan sees a write past it. */
			unsigned char *tight = malloc((size_t)n - 1);
			FUZZ_CHECK(base64url_decode((const char *)data, size, tight, (size_t)n - 1) == -1);
			free(tight);
		}
	}
	const char *text = base64url_encode(a, data, size);
	unsigned char *back = malloc(size + 1);
	FUZZ_CHECK(back && base64url_decode(text, strlen(text), back, size) == (long)size);
	FUZZ_CHECK(memcmp(back, data, size) == 0);
	free(back);
	arena_destroy(a);
	return 0;
}
