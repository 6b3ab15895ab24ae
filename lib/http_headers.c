/*
 * http_headers.c — Cookie and Origin, read one way for REST and /ws (see http_headers.h).
 *
 * Parsing is by hand over the exact bytes: no sscanf, no locale, no allocation except the
 * cookie value returned. Anything that does not parse as an origin of this station is
 * simply not one; these functions never say why (the callers answer 403 / close 1008).
 */
#include "http_headers.h"

#include <string.h>
#include <strings.h>

const char *http_cookie_get(struct arena *arena, const char *header, const char *name)
{
	size_t name_len = strlen(name);
	for (const char *p = header; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		if (len > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
			const char *v = p + name_len + 1;
			size_t n = len - name_len - 1;
			while (n && (*v == ' ' || *v == '\t')) {
				v++;
				n--;
			}
			while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			return n ? arena_strndup(arena, v, n) : NULL;
		}
		p += len;
	}
	return NULL;
}

/* The scheme's default port; 0 for a scheme the station does not serve. */
static long default_port(const char *scheme, size_t len)
{
	if (len == 4 && strncasecmp(scheme, "http", 4) == 0)
		return 80;
	if (len == 5 && strncasecmp(scheme, "https", 5) == 0)
		return 443;
	return 0;
}

struct authority {
	const char *host;
	size_t host_len;
	long port; /* 0 when none was written */
};

/* Splits s[0..len) into host and port: "name", "name:8080", "[::1]", "[::1]:8080".
 * False for an empty host, a bad port, or a character no host may contain. */
static bool authority_parse(const char *s, size_t len, struct authority *out)
{
	size_t host_len = len;
	if (len > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (!close)
			return false;
		host_len = (size_t)(close - s) + 1;
		if (host_len < len && s[host_len] != ':')
			return false;
	} else {
		const char *colon = memchr(s, ':', len);
		if (colon)
			host_len = (size_t)(colon - s);
	}
	if (host_len == 0)
		return false;
	for (size_t i = 0; i < host_len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c >= 0x7f || strchr("/?#@\\", c))
			return false;
	}
	out->host = s;
	out->host_len = host_len;
	out->port = 0;
	if (host_len == len)
		return true;
	const char *digits = s + host_len + 1;
	size_t ndigits = len - host_len - 1;
	if (ndigits == 0 || ndigits > 5)
		return false;
	for (size_t i = 0; i < ndigits; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return false;
		out->port = out->port * 10 + (digits[i] - '0');
	}
	return out->port >= 1 && out->port <= 65535;
}

bool http_origin_matches_host(const char *origin, const char *scheme, const char *host)
{
	if (!origin || !scheme || !host)
		return false;
	const char *sep = strstr(origin, "://");
	if (!sep)
		return false;
	size_t scheme_len = strlen(scheme);
	long port = default_port(scheme, scheme_len);
	if (port == 0 || (size_t)(sep - origin) != scheme_len || strncasecmp(origin, scheme, scheme_len) != 0)
		return false;
	struct authority o, h;
	if (!authority_parse(sep + 3, strlen(sep + 3), &o) || !authority_parse(host, strlen(host), &h))
		return false;
	return o.host_len == h.host_len && strncasecmp(o.host, h.host, o.host_len) == 0 &&
	       (o.port ? o.port : port) == (h.port ? h.port : port);
}

bool http_origin_allowed(const char *origin, const char *scheme, const char *host, const char *allowed)
{
	if (!origin || !*origin)
		return false;
	size_t origin_len = strlen(origin);
	for (const char *p = allowed; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ", ");
		if (n && n == origin_len && strncasecmp(p, origin, n) == 0)
			return true;
		p += n;
	}
	return http_origin_matches_host(origin, scheme, host);
}

/* The opaque part of an entity tag: from its opening quote, a leading W/ skipped. */
static const char *etag_opaque(const char *tag)
{
	return strncmp(tag, "W/", 2) == 0 ? tag + 2 : tag;
}

bool http_etag_matches(const char *header, const char *etag)
{
	if (!header || !etag)
		return false;
	const char *want = etag_opaque(etag);
	size_t want_len = strlen(want);
	const char *p = header;
	while (*p) {
		p += strspn(p, " \t,");
		if (*p == '*')
			return true;
		const char *tag = etag_opaque(p);
		if (*tag == '"') {
			const char *close = strchr(tag + 1, '"');
			if (!close)
				return false;
			size_t len = (size_t)(close + 1 - tag);
			if (len == want_len && memcmp(tag, want, len) == 0)
				return true;
			p = close + 1;
		}
		p += strcspn(p, ",");
	}
	return false;
}
