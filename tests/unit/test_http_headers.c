/*
 * test_http_headers.c — the Cookie and Origin rules shared by the REST runtime and wsd
 * (lib/http_headers.c): which cookie is ours, and which origin is the request's own,
 * port by port (docs/auth.md, "Origin").
 */
#include <string.h>

#include "http_headers.h"
#include "tap.h"

int main(void)
{
	struct arena *a = arena_new();

	const char *tag = "W/\"17-ab12\"";
	ok(http_etag_matches("W/\"17-ab12\"", tag), "if-none-match: the tag as sent");
	ok(http_etag_matches("\"17-ab12\"", tag), "if-none-match: weak comparison ignores W/ in the header");
	ok(http_etag_matches("W/\"17-ab12\"", "\"17-ab12\""), "if-none-match: and in the tag");
	ok(http_etag_matches("\"x\", W/\"17-ab12\"", tag), "if-none-match: a member of a list");
	ok(http_etag_matches("\"x\",W/\"17-ab12\" ", tag), "if-none-match: a list without blanks");
	ok(http_etag_matches("*", tag), "if-none-match: * matches");
	ok(!http_etag_matches("W/\"17-ab1\"", tag), "if-none-match: another tag");
	ok(!http_etag_matches("W/\"17-ab12", tag), "if-none-match: an unclosed tag");
	ok(!http_etag_matches("17-ab12", tag), "if-none-match: an unquoted tag");
	ok(!http_etag_matches("", tag), "if-none-match: empty");
	ok(!http_etag_matches(NULL, tag), "if-none-match: absent");

	is_str(http_cookie_get(a, "access_token=abc", "access_token"), "abc", "a lone cookie");
	is_str(http_cookie_get(a, "theme=dark; access_token=abc.def; x=1", "access_token"), "abc.def",
	       "a cookie among others");
	is_str(http_cookie_get(a, "my_access_token=no; access_token=yes", "access_token"), "yes",
	       "a cookie whose name ends like ours is not ours");
	is_str(http_cookie_get(a, "access_token_old=no", "access_token"), NULL,
	       "a cookie whose name starts like ours is not ours");
	is_str(http_cookie_get(a, "access_token=", "access_token"), NULL, "an empty cookie is none");
	is_str(http_cookie_get(a, "access_token=  ; b=1", "access_token"), NULL, "a blank cookie is none");
	is_str(http_cookie_get(a, NULL, "access_token"), NULL, "no header, no cookie");
	is_str(http_cookie_get(a, "", "access_token"), NULL, "an empty header, no cookie");
	is_str(http_cookie_get(a, "a=1;access_token=t ", "access_token"), "t",
	       "no space after the separator, trailing space trimmed");
	is_str(http_cookie_get(a, "a=1;\taccess_token= t", "access_token"), "t", "tab before the pair, space before the value");
	is_str(http_cookie_get(a, "access_token=first; access_token=second", "access_token"), "first",
	       "the first of two pairs of that name");
	is_str(http_cookie_get(a, "refresh_token=a=b", "refresh_token"), "a=b", "an = inside the value is kept");

	/* The request's own origin: scheme, host (any case) and port, default ports implied. */
	ok(http_origin_matches_host("http://station.local", "http", "station.local"), "the station's own origin");
	ok(http_origin_matches_host("https://Station.Local:8443", "https", "station.local:8443"), "host and port, any case");
	ok(http_origin_matches_host("http://127.0.0.1:8080", "http", "127.0.0.1:8080"), "an IPv4 literal with its port");
	ok(http_origin_matches_host("http://[::1]:8080", "http", "[::1]:8080"), "an IPv6 literal with its port");
	ok(http_origin_matches_host("http://station.local", "http", "station.local:80"), "http: no port is 80");
	ok(http_origin_matches_host("http://station.local:80", "http", "station.local"), "http: 80 is no port");
	ok(http_origin_matches_host("https://station.local", "https", "station.local:443"), "https: no port is 443");
	ok(http_origin_matches_host("https://station.local:443", "https", "station.local"), "https: 443 is no port");
	ok(http_origin_matches_host("http://[::1]", "http", "[::1]:80"), "IPv6: no port is 80");
	ok(!http_origin_matches_host("http://127.0.0.1:8080", "http", "127.0.0.1"),
	   "an origin's port is compared with a Host that has none (that is port 80)");
	ok(!http_origin_matches_host("http://station.local", "http", "station.local:8080"),
	   "a Host with a port and an origin without one");
	ok(!http_origin_matches_host("http://station.local:8081", "http", "station.local:8443"), "another port");
	ok(!http_origin_matches_host("https://station.local:80", "https", "station.local"), "https: 80 is not its default");
	ok(!http_origin_matches_host("http://station.local", "https", "station.local"),
	   "an http page against an https request");
	ok(!http_origin_matches_host("https://station.local", "http", "station.local"),
	   "an https page against an http request");
	ok(!http_origin_matches_host("http://station.local", NULL, "station.local"), "no request scheme");
	ok(!http_origin_matches_host("ftp://station.local", "ftp", "station.local"), "a scheme the station does not serve");
	ok(!http_origin_matches_host("http://evil.example", "http", "station.local"), "another site");
	ok(!http_origin_matches_host("http://station.local.evil.example", "http", "station.local"), "a longer name");
	ok(!http_origin_matches_host("http://evil.example:80", "http", "evil"), "a name that is a prefix");
	ok(!http_origin_matches_host("http://station.local/", "http", "station.local"), "an origin with a path");
	ok(!http_origin_matches_host("http://user@station.local", "http", "station.local"), "an origin with user info");
	ok(!http_origin_matches_host("http://station.local:", "http", "station.local"), "an empty port");
	ok(!http_origin_matches_host("http://station.local:99999", "http", "station.local:99999"), "a port over 65535");
	ok(!http_origin_matches_host("http://station.local:8x", "http", "station.local:8x"), "a port that is not a number");
	ok(!http_origin_matches_host("null", "http", "station.local"), "the opaque origin null");
	ok(!http_origin_matches_host("http://station.local", "http", ""), "an empty Host");
	ok(!http_origin_matches_host("http://station.local", "http", NULL), "no Host");

	ok(http_origin_allowed("http://app.example", "http", "station.local", "https://x.example, http://app.example"),
	   "an origin of http.allowed_origins");
	ok(http_origin_allowed("HTTP://APP.EXAMPLE", "https", "station.local", "http://app.example"),
	   "allowed origins match without case, whatever the request's scheme");
	ok(!http_origin_allowed("http://app.example.org", "http", "station.local", "http://app.example"),
	   "allowed origins match whole");
	ok(http_origin_allowed("http://station.local:8080", "http", "station.local:8080", ""), "the request's own origin");
	ok(http_origin_allowed("http://station.local:8080", "http", "station.local:8080", NULL), "no list at all");
	ok(!http_origin_allowed("", "http", "station.local", ""), "an empty origin");
	ok(!http_origin_allowed(NULL, "http", "station.local", "http://station.local"), "no origin");

	arena_destroy(a);
	return done();
}
