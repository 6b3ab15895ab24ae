/*
 * crypto.c — random tokens, base64url, hex, SHA-256, constant-time comparison (see crypto.h).
 */
#include "crypto.h"

#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"

void crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			log_error("getrandom failed");
			abort();
		}
		p += got;
		n -= (size_t)got;
	}
}

/* Each alphabet is written once, for its encoder and its decoder. */
static const char base64url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char hex_alphabet[] = "0123456789abcdef";

/* The value of the digit c: its place in alphabet, or -1 when it is not there. */
static int digit_value(const char *alphabet, char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

int hex_digit_value(char c)
{
	return digit_value(hex_alphabet, c >= 'A' && c <= 'F' ? (char)(c - 'A' + 'a') : c);
}

char *base64url_encode(struct arena *arena, const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out = arena_alloc(arena, (len + 2) / 3 * 4 + 1);
	size_t o = 0, i = 0;
	for (; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = base64url_alphabet[v >> 18 & 63];
		out[o++] = base64url_alphabet[v >> 12 & 63];
		out[o++] = base64url_alphabet[v >> 6 & 63];
		out[o++] = base64url_alphabet[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0);
		out[o++] = base64url_alphabet[v >> 18 & 63];
		out[o++] = base64url_alphabet[v >> 12 & 63];
		if (i + 1 < len)
			out[o++] = base64url_alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return out;
}

long base64url_decode(const char *s, size_t len, void *out, size_t cap)
{
	unsigned char *o = out;
	size_t n = 0;
	unsigned bits = 0;
	int nbits = 0;
	if (len % 4 == 1 || len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0) > cap || len > (size_t)LONG_MAX / 2)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int d = digit_value(base64url_alphabet, s[i]);
		if (d < 0)
			return -1;
		bits = (bits << 6 | (unsigned)d) & 0xFFFFFF;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			o[n++] = (unsigned char)(bits >> nbits & 0xFF);
		}
	}
	/* The bits left over must be zero: one text per byte string, as the encoder writes. */
	if (bits & ((1u << nbits) - 1))
		return -1;
	return (long)n;
}

char *token_new(struct arena *arena)
{
	unsigned char raw[32];
	crypto_random(raw, sizeof raw);
	return base64url_encode(arena, raw, sizeof raw);
}

char *sha256_hex(struct arena *arena, const void *data, size_t len)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL);
	char *hex = arena_alloc(arena, n * 2 + 1);
	for (unsigned i = 0; i < n; i++) {
		hex[2 * i] = hex_alphabet[digest[i] >> 4];
		hex[2 * i + 1] = hex_alphabet[digest[i] & 15];
	}
	return hex;
}

char *hex_encode(struct arena *arena, const void *data, size_t n)
{
	const unsigned char *b = data;
	char *hex = arena_alloc(arena, n * 2 + 1);
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = hex_alphabet[b[i] >> 4];
		hex[2 * i + 1] = hex_alphabet[b[i] & 15];
	}
	return hex;
}

struct sha256_stream {
	EVP_MD_CTX *ctx;
};

static void sha256_stream_free(void *p)
{
	struct sha256_stream *s = p;
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

struct sha256_stream *sha256_begin(struct arena *arena)
{
	struct sha256_stream *s = arena_alloc(arena, sizeof *s);
	s->ctx = EVP_MD_CTX_new();
	if (!s->ctx || EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1) {
		log_error("cannot start a sha-256 digest");
		abort();
	}
	arena_on_reset(arena, sha256_stream_free, s);
	return s;
}

void sha256_update(struct sha256_stream *s, const void *data, size_t len)
{
	EVP_DigestUpdate(s->ctx, data, len);
}

void sha256_final(struct sha256_stream *s, unsigned char digest[32])
{
	unsigned int n = 0;
	EVP_DigestFinal_ex(s->ctx, digest, &n);
}

char *token_hash(struct arena *arena, const char *token)
{
	return sha256_hex(arena, token, strlen(token));
}

bool secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return false;
	return CRYPTO_memcmp(a, b, la) == 0;
}
