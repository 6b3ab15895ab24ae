/*
 * fuzz_utf8.c — the station's one UTF-8 rule (lib/utf8.c), checked against a plain
 * decoder written here from RFC 3629 (code points, not byte patterns): they must agree
 * on every input.
 *
 * Invariants: utf8_valid equals the reference; walking with utf8_sequence_length covers a
 * valid input exactly and each step decodes one scalar value; utf8_codepoints counts them.
 */
#include "fuzz.h"
#include "utf8.h"

/* Length of the sequence at s decoded by value (1–4), or 0. */
static size_t reference_length(const unsigned char *s, size_t avail)
{
	if (avail == 0)
		return 0;
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0 || n > avail)
		return 0;
	unsigned long cp = n == 1 ? s[0] : n == 2 ? s[0] & 0x1Fu : n == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	static const unsigned long least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool valid = true;
	size_t count = 0, nul = size;
	for (size_t i = 0; i < size;) {
		size_t want = reference_length(data + i, size - i);
		size_t got = utf8_sequence_length(data + i, size - i);
		FUZZ_CHECK(got == want);
		if (!got) {
			valid = false;
			break;
		}
		if (data[i] == 0 && nul == size)
			nul = i;
		if (i < nul)
			count++;
		i += got;
	}
	FUZZ_CHECK(utf8_valid((const char *)data, size) == valid);
	if (valid) {
		struct arena *a = arena_new();
		FUZZ_CHECK(utf8_codepoints(arena_strndup(a, (const char *)data, size)) == count);
		arena_destroy(a);
	}
	return 0;
}
