/*
 * fuzz_multipart.c — the multipart/form-data reader of image uploads
 * (cgi/api/firmware/multipart.c), fed the body in reads whose sizes the input chooses.
 *
 * Input: its first byte is the size of every read (1–256, tests/unit/chunked.h), the rest
 * the body, with the boundary "b". Invariants: the reader ends (0 or -1, never loops), an error has a
 * message, the file bytes handed on are never more than the body holds, and every field
 * kept is at most 255 bytes.
 */
#include "fuzz.h"
#include "chunked.h"
#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct arena *a = arena_new();
	struct chunked s = { data + 1, size - 1, 0, (size_t)data[0] + 1 };
	struct multipart *mp = multipart_begin(a, "multipart/form-data; boundary=b", chunked_read, &s);
	FUZZ_CHECK(mp != NULL);
	char buf[4096];
	size_t file = 0;
	long n;
	for (int reads = 0; (n = multipart_read(mp, buf, sizeof buf)) > 0; reads++) {
		file += (size_t)n;
		FUZZ_CHECK(file <= s.len && reads < 1000000);
	}
	FUZZ_CHECK(n == 0 || multipart_error(mp) != NULL);
	const char *names[] = { "deviceType", "version", "sha256" };
	for (size_t i = 0; n == 0 && i < sizeof names / sizeof names[0]; i++) {
		const char *v = multipart_field(mp, names[i]);
		FUZZ_CHECK(!v || strlen(v) <= 255);
	}
	arena_destroy(a);
	return 0;
}
