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

#include "crypto.h"

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
	out->session_id = claims.session_id;
	out->expires_at = claims.expires_at;
}
