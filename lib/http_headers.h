/*
 * http_headers.h — the two browser headers the station trusts for authentication: the
 * Cookie that carries access_token / refresh_token, and the Origin that guards
 * cookie-authenticated requests against other sites (CSRF on REST, cross-site WebSocket
 * hijacking on /ws). The REST runtime (cgi/) and wsd both ask these functions, so a
 * cookie or an origin means the same thing on /api and /ws. And If-None-Match, the
 * browser's half of a conditional GET.
 *
 * Pure string code: no I/O, no configuration lookups, never logs (values are tokens).
 */
#ifndef STATION_HTTP_HEADERS_H
#define STATION_HTTP_HEADERS_H

#include <stdbool.h>

#include "arena.h"

/*
 * The value of cookie `name` in a Cookie header (RFC 6265 §5.4: "a=1; b=2"), copied into
 * the arena: the first pair whose name is exactly `name`, blanks around the value removed.
 * NULL when header is NULL, the cookie is absent, or its value is empty.
 */
const char *http_cookie_get(struct arena *arena, const char *header, const char *name);

/*
 * True when origin ("scheme://host[:port]", RFC 6454) is the origin of the request itself:
 *  - its scheme is the request's (`scheme`: "http" or "https", how the client reached
 *    nginx; NULL or anything else never matches);
 *  - its host is the Host header as the client sent it, compared without case;
 *  - its port equals the Host header's, where a missing port is the scheme's default
 *    (80 for http, 443 for https) on either side: "http://a" matches Host "a:80",
 *    "http://a:8080" matches only Host "a:8080".
 * An origin with a path, user info or any other scheme, and the opaque "null", never match.
 */
bool http_origin_matches_host(const char *origin, const char *scheme, const char *host);

/*
 * The guard itself: true when origin matches the request (above) or is one of `allowed`
 * (http.allowed_origins: origins separated by commas or spaces, each matched whole and
 * without case). A NULL or empty origin is not allowed: callers decide whether a request
 * without Origin needs the guard at all.
 */
bool http_origin_allowed(const char *origin, const char *scheme, const char *host, const char *allowed);

/*
 * True when an If-None-Match header (RFC 9110 §13.1.2) matches etag, as a GET compares:
 * "*", or one of its comma-separated entity tags equal to etag by the weak comparison
 * (a "W/" on either side is ignored). etag is what the response's ETag says, W/"…" or
 * "…". A NULL header, and a member that is not a quoted tag, never match.
 */
bool http_etag_matches(const char *if_none_match, const char *etag);

#endif
