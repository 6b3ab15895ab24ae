/*
 * jwt.c — HS256 access tokens, issued and verified here and nowhere else (see crypto.h).
 *
 * One implementation over OpenSSL's HMAC-SHA256 and json-c (RFC 7519 / 7515, compact
 * form): a token is three base64url parts, and the signature is computed once, over the
 * exact bytes received before the second dot, and compared in constant time. The header
 * must say alg "HS256" and nothing else (no "none", no other HMAC, no "crit" extension we
 * would not understand); nothing may follow the signature. Only then are the claims read.
 * It never logs a token or a secret, and never accepts a token it could not have issued.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "crypto.h"
#include "json_reader.h"
#include "json_writer.h"
#include "log.h"
#include "uuid.h"

/* Header and claims are flat objects; a deeper one is not ours. */
#define JWT_JSON_DEPTH 2

static const char jwt_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* base64url(HMAC-SHA256(secret, signing_input[0..len))); NULL if OpenSSL fails. */
static char *hs256_signature(struct arena *arena, const char *secret, const char *signing_input, size_t len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)signing_input, len, mac, &mac_len))
		return NULL;
	return base64url_encode(arena, mac, mac_len);
}

char *jwt_issue_access(struct arena *arena, const char *secret, const struct access_claims *c)
{
	struct buf claims;
	struct jw w;
	buf_init(&claims, arena);
	jw_init(&w, &claims);
	jw_object_begin(&w);
	jw_member_string(&w, "sub", c->user_id);
	jw_member_string(&w, "userId", c->user_id);
	jw_member_string(&w, "role", c->role);
	if (c->session_id && *c->session_id)
		jw_member_string(&w, "sid", c->session_id);
	jw_member_int(&w, "iat", c->issued_at);
	jw_member_int(&w, "exp", c->expires_at);
	jw_object_end(&w);

	const char *signing_input = arena_printf(arena, "%s.%s", base64url_encode(arena, jwt_header, strlen(jwt_header)),
						 base64url_encode(arena, claims.data, claims.len));
	const char *signature = hs256_signature(arena, secret, signing_input, strlen(signing_input));
	if (!signature) {
		log_error("cannot sign access token");
		return NULL;
	}
	return arena_printf(arena, "%s.%s", signing_input, signature);
}

/* The JSON object that base64url part s[0..len) encodes; NULL when it is not one. */
static struct json_object *decode_part(struct arena *arena, const char *s, size_t len)
{
	char *json = arena_alloc(arena, len / 4 * 3 + 3);
	long n = base64url_decode(s, len, json, len / 4 * 3 + 3);
	const char *error = NULL;
	struct json_object *obj = n > 0 ? json_parse(arena, json, (size_t)n, JWT_JSON_DEPTH, &error) : NULL;
	return obj && json_object_is_type(obj, json_type_object) ? obj : NULL;
}

/* The header of an HS256 token of ours: alg exactly "HS256", no critical extensions. */
static bool header_is_hs256(struct json_object *header)
{
	const char *alg = json_get_string(header, "alg");
	return alg && strcmp(alg, "HS256") == 0 && !json_has(header, "crit");
}

/* The roles of station members (SPEC §3); a token carrying another is not ours. */
static bool role_known(const char *role)
{
	return role && (strcmp(role, "owner") == 0 || strcmp(role, "admin") == 0 || strcmp(role, "member") == 0);
}

/* An optional integer claim: absent is 0; present, it must be a JSON integer. */
static bool claim_int(struct json_object *claims, const char *name, long long *out)
{
	*out = 0;
	return !json_has(claims, name) || json_get_int(claims, name, out);
}

static const char *claim_string(struct arena *arena, struct json_object *claims, const char *name)
{
	const char *v = json_get_string(claims, name);
	return v ? arena_strdup(arena, v) : NULL;
}

enum jwt_verdict jwt_verify_access(struct arena *arena, const char *secret, const char *token,
				   long long now, struct access_claims *claims)
{
	const char *dot1 = strchr(token, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot1 || !dot2 || strchr(dot2 + 1, '.') || dot1 == token || dot2 == dot1 + 1 || dot2[1] == '\0')
		return JWT_INVALID;
	/* The signature first, over the bytes as received: nothing unsigned is parsed. */
	const char *expected = hs256_signature(arena, secret, token, (size_t)(dot2 - token));
	if (!expected || !secret_equal(expected, dot2 + 1))
		return JWT_INVALID;

	struct json_object *header = decode_part(arena, token, (size_t)(dot1 - token));
	struct json_object *payload = decode_part(arena, dot1 + 1, (size_t)(dot2 - dot1 - 1));
	if (!header || !header_is_hs256(header) || !payload)
		return JWT_INVALID;
	claims->user_id = claim_string(arena, payload, "sub");
	claims->role = claim_string(arena, payload, "role");
	claims->session_id = claim_string(arena, payload, "sid");
	if (!claims->session_id)
		claims->session_id = "";
	if (!claim_int(payload, "iat", &claims->issued_at) || !claim_int(payload, "exp", &claims->expires_at))
		return JWT_INVALID;
	if (!claims->user_id || !uuid_is_valid(claims->user_id) || !role_known(claims->role) || claims->expires_at <= 0)
		return JWT_INVALID;
	return claims->expires_at <= now ? JWT_EXPIRED : JWT_VALID;
}
