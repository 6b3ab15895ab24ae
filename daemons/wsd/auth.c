/*
 * auth.c — token admission for /ws (see auth.h).
 *
 * Verification is jwt_verify_access, the very function the REST workers use, so a token
 * good for /api is good for /ws and nothing else is. This file decides; it never logs
 * a token, never copies one anywhere but the caller's buffer, and never touches the
 * database.
 */
#include "auth.h"

#include <string.h>
#include <strings.h>

#include "crypto.h"

const char *auth_cookie_value(const char *header, const char *name, char *out, size_t cap)
{
	size_t name_len = strlen(name);
	for (const char *p = header; p && *p;) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		if (len > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
			const char *v = p + name_len + 1;
			size_t n = len - name_len - 1;
			while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			if (n == 0 || n >= cap)
				return NULL;
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
		p += len;
	}
	return NULL;
}

/* Length of host[:port] without its port ("[::1]:80" → "[::1]", "a:80" → "a"). */
static size_t without_port(const char *hostport, size_t len)
{
	for (size_t i = len; i > 0; i--) {
		char c = hostport[i - 1];
		if (c == ':')
			return i - 1;
		if (c == ']' || !(c >= '0' && c <= '9'))
			break;
	}
	return len;
}

bool auth_origin_allowed(const char *origin, const char *host, const char *allowed)
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
	const char *sep = strstr(origin, "://");
	if (!sep || !host || !*host)
		return false;
	const char *hostport = sep + 3;
	size_t len = strlen(hostport), host_len = strlen(host);
	if (len == host_len && strncasecmp(hostport, host, len) == 0)
		return true;
	if (without_port(host, host_len) != host_len)
		return false; /* Host names a port: the origin had to match it exactly */
	len = without_port(hostport, len);
	return len == host_len && strncasecmp(hostport, host, len) == 0;
}

static void refuse(struct ws_admission *out, int code, const char *reason)
{
	out->close_code = code;
	out->reason = reason;
}

void auth_admit(struct arena *arena, const char *secret, const char *token, long long now,
		struct ws_admission *out)
{
	memset(out, 0, sizeof *out);
	if (!token || !*token) {
		refuse(out, WS_CLOSE_POLICY, "access token required");
		return;
	}
	if (strlen(token) > AUTH_TOKEN_MAX) {
		refuse(out, WS_CLOSE_POLICY, "invalid access token");
		return;
	}
	struct access_claims claims;
	switch (jwt_verify_access(arena, secret, token, now, &claims)) {
	case JWT_EXPIRED:
		refuse(out, WS_CLOSE_TOKEN_EXPIRED, "token expired");
		return;
	case JWT_INVALID:
		refuse(out, WS_CLOSE_POLICY, "invalid access token");
		return;
	case JWT_VALID:
		break;
	}
	out->user_id = claims.user_id;
	out->role = claims.role;
	out->expires_at = claims.expires_at;
}
