/*
 * fuzz_http_headers.c — the browser headers the station trusts (lib/http_headers.c):
 * Cookie, Origin against Host and http.allowed_origins, and If-None-Match. The input is
 * up to four lines: the header under test, Host, allowed origins, and an ETag.
 *
 * Invariants: a cookie value is non-empty, has no blanks at either end and is part of
 * the header; an origin that matches the host is allowed whatever the list; nothing
 * matches without a scheme the station knows.
 */
#include "fuzz.h"
#include "http_headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	const char *header = fuzz_line(a, &data, &size);
	const char *host = fuzz_line(a, &data, &size);
	const char *allowed = fuzz_line(a, &data, &size);
	const char *etag = fuzz_line(a, &data, &size);

	static const char *const names[] = { "access_token", "refresh_token", "a", "" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *v = http_cookie_get(a, header, names[i]);
		if (v) {
			size_t n = strlen(v);
			FUZZ_CHECK(n > 0 && strstr(header, v) != NULL);
			FUZZ_CHECK(!strchr(" \t", v[0]) && !strchr(" \t", v[n - 1]));
		}
	}
	static const char *const schemes[] = { "http", "https" };
	for (size_t i = 0; i < 2; i++) {
		bool same = http_origin_matches_host(header, schemes[i], host);
		bool ok = http_origin_allowed(header, schemes[i], host, allowed);
		FUZZ_CHECK(!same || ok);
		FUZZ_CHECK(!same || http_origin_allowed(header, schemes[i], host, ""));
	}
	FUZZ_CHECK(!http_origin_matches_host(header, "ftp", host));
	FUZZ_CHECK(!http_origin_matches_host(header, NULL, host));
	http_etag_matches(header, etag);
	http_etag_matches(NULL, etag);
	arena_destroy(a);
	return 0;
}
