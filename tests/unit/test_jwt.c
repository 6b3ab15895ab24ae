/*
 * test_jwt.c — access tokens: what verifies, and every way one must not.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto.h"
#include "tap.h"

static const char *secret = "0123456789abcdef0123456789abcdef-test";

/* Builds header.payload.signature with HMAC over the given algorithm. */
static const char *forge(struct arena *a, const char *header, const char *payload, const EVP_MD *md)
{
	const char *h = base64url_encode(a, header, strlen(header));
	const char *p = base64url_encode(a, payload, strlen(payload));
	const char *signing = arena_printf(a, "%s.%s", h, p);
	if (!md)
		return arena_printf(a, "%s.", signing);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len;
	HMAC(md, secret, (int)strlen(secret), (const unsigned char *)signing, strlen(signing), mac, &len);
	return arena_printf(a, "%s.%s", signing, base64url_encode(a, mac, len));
}

int main(void)
{
	struct arena *a = arena_new();
	struct access_claims in = { "6f1c1a0e-0000-4000-8000-000000000001", "admin", "fam", 1000, 5000 }, out;
	const char *token = jwt_issue_access(a, secret, &in);
	ok(token != NULL, "a token is issued");
	ok(jwt_verify_access(a, secret, token, 2000, &out) == JWT_VALID, "it verifies before exp");
	is_str(out.user_id, in.user_id, "sub is the user id");
	is_str(out.role, "admin", "role claim");
	is_str(out.session_id, "fam", "session claim");
	ok(jwt_verify_access(a, secret, token, 5000, &out) == JWT_EXPIRED, "expired at exp");
	ok(jwt_verify_access(a, "another-secret-another-secret-xx", token, 2000, &out) == JWT_INVALID, "wrong secret");
	ok(jwt_verify_access(a, secret, arena_printf(a, "%sx", token), 2000, &out) == JWT_INVALID, "trailing byte");
	ok(jwt_verify_access(a, secret, arena_printf(a, "%s.x", token), 2000, &out) == JWT_INVALID, "extra part");
	char *tampered = arena_strdup(a, token);
	tampered[strlen(tampered) - 2] ^= 1;
	ok(jwt_verify_access(a, secret, tampered, 2000, &out) == JWT_INVALID, "tampered signature");
	const char *payload = "{\"sub\":\"6f1c1a0e-0000-4000-8000-000000000002\",\"role\":\"owner\",\"iat\":1000,\"exp\":5000}";
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, NULL), 2000, &out) == JWT_INVALID, "alg none");
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", payload, EVP_sha512()), 2000, &out) == JWT_INVALID, "HS512 with the right secret");
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS384\",\"typ\":\"JWT\"}", payload, EVP_sha256()), 2000, &out) == JWT_INVALID, "HS256 signature under another alg header");
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, EVP_sha256()), 2000, &out) == JWT_VALID, "a well-formed HS256 token from elsewhere verifies");
	const char *guest = "{\"sub\":\"6f1c1a0e-0000-4000-8000-000000000002\",\"role\":\"guest\",\"exp\":5000}";
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS256\"}", guest, EVP_sha256()), 2000, &out) == JWT_INVALID, "a role the station does not have");
	const char *not_uuid = "{\"sub\":\"u\",\"role\":\"owner\",\"exp\":5000}";
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS256\"}", not_uuid, EVP_sha256()), 2000, &out) == JWT_INVALID, "a subject that is not a UUID");
	ok(jwt_verify_access(a, secret, "", 2000, &out) == JWT_INVALID, "empty");
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"hs256\"}", payload, EVP_sha256()), 2000, &out) == JWT_INVALID, "alg is case-sensitive");
	ok(jwt_verify_access(a, secret, forge(a, "{\"typ\":\"JWT\"}", payload, EVP_sha256()), 2000, &out) == JWT_INVALID, "no alg");
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", payload, EVP_sha256()), 2000, &out) == JWT_INVALID, "a critical extension");
	ok(jwt_verify_access(a, secret, forge(a, "[\"HS256\"]", payload, EVP_sha256()), 2000, &out) == JWT_INVALID, "a header that is not an object");
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS256\"}", "not json", EVP_sha256()), 2000, &out) == JWT_INVALID, "claims that are not JSON");
	const char *string_exp = "{\"sub\":\"6f1c1a0e-0000-4000-8000-000000000002\",\"role\":\"owner\",\"exp\":\"5000\"}";
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS256\"}", string_exp, EVP_sha256()), 2000, &out) == JWT_INVALID, "exp as a string");
	const char *no_exp = "{\"sub\":\"6f1c1a0e-0000-4000-8000-000000000002\",\"role\":\"owner\"}";
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS256\"}", no_exp, EVP_sha256()), 2000, &out) == JWT_INVALID, "no exp");
	const char *overlong = "{\"sub\":\"6f1c1a0e-0000-4000-8000-000000000002\",\"role\":\"owner\",\"exp\":5000,\"n\":\"\xC0\xAE\"}";
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS256\"}", overlong, EVP_sha256()), 2000, &out) == JWT_INVALID, "claims that are not valid UTF-8");
	ok(jwt_verify_access(a, secret, forge(a, "{\"alg\":\"HS256\"}", payload, EVP_sha256()), 2000, &out) == JWT_VALID && out.issued_at == 1000 && out.expires_at == 5000 && strcmp(out.session_id, "") == 0, "iat and exp read, no sid is \"\"");
	ok(jwt_verify_access(a, secret, arena_printf(a, "%s=", token), 2000, &out) == JWT_INVALID, "a padded signature");
	ok(jwt_verify_access(a, secret, arena_printf(a, " %s", token), 2000, &out) == JWT_INVALID, "a leading byte");
	ok(jwt_verify_access(a, secret, strchr(token, '.'), 2000, &out) == JWT_INVALID, "an empty header part");
	const char *dot2 = strrchr(token, '.');
	ok(jwt_verify_access(a, secret, arena_strndup(a, token, (size_t)(dot2 - token) + 1), 2000, &out) == JWT_INVALID, "an empty signature");
	/* The token layout: header {"alg":"HS256","typ":"JWT"}, then the claims in order. */
	is_str(arena_strndup(a, token, (size_t)(strchr(token, '.') - token)), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "the header of an issued token");
	struct access_claims no_sid = { "6f1c1a0e-0000-4000-8000-000000000001", "member", "", 1000, 5000 };
	ok(jwt_verify_access(a, secret, jwt_issue_access(a, secret, &no_sid), 2000, &out) == JWT_VALID && strcmp(out.session_id, "") == 0, "a token without session verifies, sid \"\"");
	ok(jwt_verify_access(a, secret, "a.b", 2000, &out) == JWT_INVALID, "two parts");

	const char *hash = password_hash(a, "correct horse", 4);
	ok(hash && strncmp(hash, "$2b$04$", 7) == 0, "bcrypt $2b$ hash");
	ok(password_verify("correct horse", hash), "password verifies");
	ok(!password_verify("wrong horse", hash), "wrong password does not");
	ok(!password_verify("x", "plain"), "unknown hash format never matches");
	ok(!password_verify("x", NULL), "missing hash never matches");
	is_str(sha256_hex(a, "abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256");
	ok(strlen(token_new(a)) == 43, "tokens are 256 bits in base64url");
	ok(secret_equal("abc", "abc") && !secret_equal("abc", "abd") && !secret_equal("abc", "ab"), "secret_equal");
	arena_destroy(a);
	return done();
}
