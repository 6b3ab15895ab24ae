/*
 * jwt.c — HS256 access tokens (see crypto.h).
 *
 * libjwt builds and parses the token. Before libjwt sees a token to verify, the
 * signature is checked here over the exact bytes received, with HMAC-SHA256 and a
 * constant-time comparison, so that no other algorithm, no `none`, and no trailing
 * bytes can pass; then the header's alg is checked again on what libjwt decoded.
 */
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "uuid.h"

char *jwt_issue_access(struct arena *arena, const char *secret, const struct access_claims *c)
{
	jwt_t *jwt = NULL;
	char *encoded = NULL, *result = NULL;
	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grant(jwt, "sub", c->user_id) == 0 && jwt_add_grant(jwt, "userId", c->user_id) == 0 &&
	    jwt_add_grant(jwt, "role", c->role) == 0 &&
	    (!c->session_id || !*c->session_id || jwt_add_grant(jwt, "sid", c->session_id) == 0) &&
	    jwt_add_grant_int(jwt, "iat", (long)c->issued_at) == 0 &&
	    jwt_add_grant_int(jwt, "exp", (long)c->expires_at) == 0 &&
	    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret, (int)strlen(secret)) == 0)
		encoded = jwt_encode_str(jwt);
	if (encoded) {
		result = arena_strdup(arena, encoded);
		free(encoded);
	} else {
		log_error("cannot sign access token");
	}
	jwt_free(jwt);
	return result;
}

static bool is_base64url_part(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static bool signature_matches(struct arena *arena, const char *secret, const char *token,
			      size_t signed_len, const char *signature)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)token, signed_len, mac, &mac_len))
		return false;
	return secret_equal(base64url_encode(arena, mac, mac_len), signature);
}

/* The roles of station members (SPEC §3); a token carrying another is not ours. */
static bool role_known(const char *role)
{
	return role && (strcmp(role, "owner") == 0 || strcmp(role, "admin") == 0 || strcmp(role, "member") == 0);
}

static const char *claim_string(struct arena *arena, jwt_t *jwt, const char *name)
{
	const char *v = jwt_get_grant(jwt, name);
	return v ? arena_strdup(arena, v) : NULL;
}

enum jwt_verdict jwt_verify_access(struct arena *arena, const char *secret, const char *token,
				   long long now, struct access_claims *claims)
{
	const char *dot1 = strchr(token, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot1 || !dot2 || strchr(dot2 + 1, '.'))
		return JWT_INVALID;
	if (!is_base64url_part(token, (size_t)(dot1 - token)) ||
	    !is_base64url_part(dot1 + 1, (size_t)(dot2 - dot1 - 1)) ||
	    !is_base64url_part(dot2 + 1, strlen(dot2 + 1)))
		return JWT_INVALID;
	if (!signature_matches(arena, secret, token, (size_t)(dot2 - token), dot2 + 1))
		return JWT_INVALID;

	jwt_t *jwt = NULL;
	if (jwt_decode(&jwt, token, (const unsigned char *)secret, (int)strlen(secret)) != 0 || !jwt)
		return JWT_INVALID;
	enum jwt_verdict verdict = JWT_INVALID;
	const char *typ_alg = jwt_get_header(jwt, "alg");
	if (jwt_get_alg(jwt) == JWT_ALG_HS256 && typ_alg && strcmp(typ_alg, "HS256") == 0) {
		claims->user_id = claim_string(arena, jwt, "sub");
		claims->role = claim_string(arena, jwt, "role");
		claims->session_id = claim_string(arena, jwt, "sid");
		claims->issued_at = jwt_get_grant_int(jwt, "iat");
		claims->expires_at = jwt_get_grant_int(jwt, "exp");
		if (!claims->session_id)
			claims->session_id = "";
		if (!claims->user_id || !uuid_is_valid(claims->user_id) || !role_known(claims->role) ||
		    claims->expires_at <= 0)
			verdict = JWT_INVALID;
		else if (claims->expires_at <= now)
			verdict = JWT_EXPIRED;
		else
			verdict = JWT_VALID;
	}
	jwt_free(jwt);
	return verdict;
}
