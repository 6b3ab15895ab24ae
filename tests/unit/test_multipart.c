/*
 * test_multipart.c — the streaming multipart/form-data reader of image uploads
 * (cgi/api/firmware/multipart.c): fields and the file come out whole however the body is
 * cut into reads (a delimiter split between two reads above all), in any order, and a
 * malformed body is an error that names what is wrong.
 */
#include <stdlib.h>

#include "chunked.h"
#include "multipart.h"
#include "tap.h"

#define CT "multipart/form-data; boundary=----XyZ"

/* Reads the whole body of `data` in `step`-byte reads; the file's bytes into file (cap),
 * their count into *file_len; returns the multipart (NULL: no boundary) and *rc of the
 * last read (0 done, -1 error). */
static struct multipart *parse(struct arena *a, const char *ct, const char *data, size_t len, size_t step,
			       char *file, size_t cap, size_t *file_len, long *rc)
{
	struct chunked *s = arena_alloc(a, sizeof *s);
	*s = (struct chunked){ data, len, 0, step };
	struct multipart *mp = multipart_begin(a, ct, chunked_read, s);
	*file_len = 0;
	*rc = -1;
	if (!mp)
		return NULL;
	for (;;) {
		long n = multipart_read(mp, file + *file_len, cap - *file_len);
		if (n <= 0) {
			*rc = n;
			return mp;
		}
		*file_len += (size_t)n;
	}
}

static const char body[] =
	"preamble to ignore\r\n"
	"------XyZ\r\n"
	"Content-Disposition: form-data; name=\"deviceType\"\r\n\r\n"
	"esp32-light\r\n"
	"------XyZ\r\n"
	"Content-Disposition: form-data; filename=\"light.bin\"; name=\"file\"\r\n"
	"Content-Type: application/octet-stream\r\n\r\n"
	"\xe9\x01\r\n------Xy\r\n--\r\n----XyZ two dashes short of a delimiter\r\n"
	"------XyZ\r\n"
	"Content-Disposition: form-data; name=\"version\"\r\n\r\n"
	"0.1.33\r\n"
	"------XyZ--\r\n"
	"epilogue";
static const char image[] = "\xe9\x01\r\n------Xy\r\n--\r\n----XyZ two dashes short of a delimiter";

int main(void)
{
	struct arena *a = arena_new();
	char file[4096];
	size_t file_len;
	long rc;

	bool all = true;
	for (size_t step = 1; step <= sizeof body; step++) {
		struct multipart *mp = parse(a, CT, body, sizeof body - 1, step, file, sizeof file, &file_len, &rc);
		bool good = mp && rc == 0 && file_len == sizeof image - 1 && memcmp(file, image, file_len) == 0 &&
			    multipart_field(mp, "deviceType") && strcmp(multipart_field(mp, "deviceType"), "esp32-light") == 0 &&
			    multipart_field(mp, "version") && strcmp(multipart_field(mp, "version"), "0.1.33") == 0 &&
			    multipart_field(mp, "sha256") == NULL;
		if (!good && all)
			printf("# reads of %zu bytes: rc %ld, file %zu bytes, error %s\n", step, rc, file_len,
			       mp && multipart_error(mp) ? multipart_error(mp) : "-");
		all &= good;
		arena_reset(a);
	}
	ok(all, "fields before and after the file, the file byte for byte, whatever the size of the reads");

	ok(multipart_begin(a, "multipart/form-data", chunked_read, NULL) == NULL, "no boundary: none");
	ok(multipart_begin(a, "multipart/form-data; boundary=", chunked_read, NULL) == NULL, "an empty boundary");
	ok(multipart_begin(a, "multipart/form-data; boundary=\"q\"", chunked_read, NULL) != NULL, "a quoted boundary");
	ok(multipart_is_form_data("Multipart/Form-Data; boundary=x") && !multipart_is_form_data("multipart/mixed"),
	   "the content type, whatever its case");

	static const char no_file[] = "--b\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n1\r\n--b--\r\n";
	struct multipart *mp = parse(a, "multipart/form-data; boundary=b", no_file, sizeof no_file - 1, 7, file, sizeof file,
				     &file_len, &rc);
	is_str(rc < 0 ? multipart_error(mp) : NULL, "file: is required", "no file part");

	static const char two[] = "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\xe9\r\n"
				  "--b\r\nContent-Disposition: form-data; name=\"x\"; filename=\"y\"\r\n\r\n\xe9\r\n--b--";
	mp = parse(a, "multipart/form-data; boundary=b", two, sizeof two - 1, 5, file, sizeof file, &file_len, &rc);
	is_str(rc < 0 ? multipart_error(mp) : NULL, "file: one image per upload", "two files");

	static const char cut[] = "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\xe9\xe9\xe9";
	mp = parse(a, "multipart/form-data; boundary=b", cut, sizeof cut - 1, 3, file, sizeof file, &file_len, &rc);
	is_str(rc < 0 ? multipart_error(mp) : NULL, "body: the multipart body ends early", "a body cut short");

	char big[600];
	int n = snprintf(big, sizeof big, "--b\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n%0300d\r\n--b--", 0);
	mp = parse(a, "multipart/form-data; boundary=b", big, (size_t)n, 64, file, sizeof file, &file_len, &rc);
	is_str(rc < 0 ? multipart_error(mp) : NULL, "version: at most 255 bytes", "a field over 255 bytes");

	static const char nameless[] = "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--";
	mp = parse(a, "multipart/form-data; boundary=b", nameless, sizeof nameless - 1, 9, file, sizeof file, &file_len, &rc);
	is_str(rc < 0 ? multipart_error(mp) : NULL, "body: a part has no content-disposition name", "a part without a name");

	arena_destroy(a);
	return done();
}
