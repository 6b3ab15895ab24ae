/*
 * fuzz_jwt.c — access-token verification (lib/jwt.c), which every REST worker and wsd
 * run on a token from a header, a cookie or ?token=.
 *
 * A forged signature stops verification before anything is decoded, so random tokens
 * would only ever test the split and the comparison. The first input byte picks how the
 * rest becomes a token:
 *   0  the token as sent;
 *   1  "<header>.<claims>" as sent (base64url, the fuzzer's bytes), signed here with the
 *      secret, so the part decoding runs;
 *   2  "<header JSON>\n<claims JSON>", encoded and signed here, so the claim rules run.
 * Invariants: a valid token's claims are sane (a UUID subject, a station role, exp in
 * the future, iat and exp integers), and the same claims issued again verify the same.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto.h"
#include "fuzz.h"
#include "uuid.h"

#define SECRET "fuzz-secret-of-at-least-thirty-two-bytes"
#define NOW 1700000000LL

static char *signed_token(struct arena *a, const char *signing_input)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	FUZZ_CHECK(HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)signing_input,
			strlen(signing_input), mac, &mac_len) != NULL);
	return arena_printf(a, "%s.%s", signing_input, base64url_encode(a, mac, mac_len));
}

static bool role_known(const char *role)
{
	return strcmp(role, "owner") == 0 || strcmp(role, "admin") == 0 || strcmp(role, "member") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct arena *a = arena_new();
	int mode = data[0] % 3;
	data++;
	size--;
	const char *token;
	if (mode == 0) {
		token = fuzz_text(a, data, size);
	} else if (mode == 1) {
		token = signed_token(a, fuzz_text(a, data, size));
	} else {
		const char *header = fuzz_line(a, &data, &size);
		const char *claims = fuzz_text(a, data, size);
		token = signed_token(a, arena_printf(a, "%s.%s", base64url_encode(a, header, strlen(header)),
						     base64url_encode(a, claims, strlen(claims))));
	}

	struct access_claims c;
	memset(&c, 0, sizeof c);
	enum jwt_verdict verdict = jwt_verify_access(a, SECRET, token, NOW, &c);
	FUZZ_CHECK(verdict == JWT_VALID || verdict == JWT_INVALID || verdict == JWT_EXPIRED);
	if (verdict == JWT_VALID) {
		FUZZ_CHECK(c.user_id && uuid_is_valid(c.user_id));
		FUZZ_CHECK(c.role && role_known(c.role));
		FUZZ_CHECK(c.session_id != NULL);
		FUZZ_CHECK(c.expires_at > NOW);
		struct access_claims again;
		memset(&again, 0, sizeof again);
		const char *reissued = jwt_issue_access(a, SECRET, &c);
		FUZZ_CHECK(reissued && jwt_verify_access(a, SECRET, reissued, NOW, &again) == JWT_VALID);
		FUZZ_CHECK(strcmp(again.user_id, c.user_id) == 0 && strcmp(again.role, c.role) == 0);
		FUZZ_CHECK(strcmp(again.session_id, c.session_id) == 0);
		FUZZ_CHECK(again.issued_at == c.issued_at && again.expires_at == c.expires_at);
	}
	/* Any other secret refuses the same token. */
	FUZZ_CHECK(jwt_verify_access(a, SECRET "x", token, NOW, &c) == JWT_INVALID);
	arena_destroy(a);
	return 0;
}
