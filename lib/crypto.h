/*
 * crypto.h — tokens, digests, passwords and access tokens.
 *
 * Random values come from the kernel (getrandom). Tokens are 256 bits in base64url and
 * are stored only as their SHA-256 (hex). Passwords go through libxcrypt: new hashes are
 * bcrypt $2b$; verification also accepts $2a$, $2y$ and yescrypt $y$. Access tokens are
 * JWT HS256, signed and verified in jwt.c (OpenSSL HMAC, json-c); verification accepts
 * nothing else (see jwt_verify_access).
 */
#ifndef STATION_CRYPTO_H
#define STATION_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

/* Fills buf with n random bytes; aborts if the kernel cannot supply them. */
void crypto_random(void *buf, size_t n);
/* 256 random bits, base64url without padding (43 characters). */
char *token_new(struct arena *arena);
/* Lower-case hex SHA-256 of s. */
char *sha256_hex(struct arena *arena, const void *data, size_t len);
/*
 * SHA-256 of bytes that arrive in pieces (an upload streamed to disk): begin, update as
 * often as needed, then the digest. The context dies with the arena.
 */
struct sha256_stream;
struct sha256_stream *sha256_begin(struct arena *arena);
void sha256_update(struct sha256_stream *s, const void *data, size_t len);
/* The 32 bytes of the digest; the stream is finished (update no more). */
void sha256_final(struct sha256_stream *s, unsigned char digest[32]);
/* Lower-case hex of n bytes. */
char *hex_encode(struct arena *arena, const void *data, size_t n);
/* What the station stores of a token (device, refresh): its SHA-256, lower-case hex. */
char *token_hash(struct arena *arena, const char *token);
/* base64url (RFC 4648 §5) without padding, the form of tokens, JWT parts and cursors. */
char *base64url_encode(struct arena *arena, const void *data, size_t len);
/*
 * Decodes s[0..len), unpadded base64url, into out (cap bytes; not NUL-terminated).
 * Returns the number of bytes, or -1 when s is not exactly what base64url_encode writes
 * (a character outside the alphabet, padding, a length of 4n+1, stray bits in the last
 * character) or does not fit in cap.
 */
long base64url_decode(const char *s, size_t len, void *out, size_t cap);
/* The value of the hex digit c, either case (0–15); -1 when c is not one. */
int hex_digit_value(char c);
/* Constant-time equality of two strings (length is not secret). */
bool secret_equal(const char *a, const char *b);

/* A new bcrypt ($2b$) hash; NULL if libxcrypt fails. */
char *password_hash(struct arena *arena, const char *password, int cost);
/* True when password matches hash ($2a$/$2b$/$2y$/$y$). Unknown formats never match. */
bool password_verify(const char *password, const char *hash);
/* Burns the time of one verification, so that an unknown account answers as slowly. */
void password_verify_dummy(const char *password);

struct access_claims {
	const char *user_id;
	const char *role;
	const char *session_id; /* refresh-token family, "" when none */
	long long issued_at;
	long long expires_at;
};

/* Signs an HS256 access token. */
char *jwt_issue_access(struct arena *arena, const char *secret, const struct access_claims *claims);

enum jwt_verdict { JWT_VALID, JWT_INVALID, JWT_EXPIRED };
/*
 * Verifies a token: exactly three base64url parts, header alg exactly HS256, signature
 * compared in constant time over the exact bytes (no trailing data), a UUID subject, a
 * role of the station (owner, admin, member), exp in the future.
 * On JWT_VALID the claims are filled (strings in the arena).
 */
enum jwt_verdict jwt_verify_access(struct arena *arena, const char *secret, const char *token,
				   long long now, struct access_claims *claims);

#endif
