/*
 * secretbox.c — AES-256-GCM sealing of small stored secrets (see secretbox.h).
 *
 * Every seal draws a fresh nonce from the kernel (crypto_random): with a random 96-bit
 * nonce a key may seal some 2^32 values before a repeat becomes a risk, and the station
 * seals one value per agent call. Nothing here logs a plaintext or a key.
 */
#include "secretbox.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "log.h"

#define NONCE_LEN 12
#define TAG_LEN 16
#define PREFIX "v1."
#define KEY_LABEL "smart-station secretbox v1"

void secretbox_key_from_secret(struct secretbox_key *key, const char *secret)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, KEY_LABEL, sizeof KEY_LABEL) != 1 || /* the label and its NUL */
	    EVP_DigestUpdate(md, secret, strlen(secret)) != 1 || EVP_DigestFinal_ex(md, key->bytes, &n) != 1 ||
	    n != sizeof key->bytes) {
		log_error("secretbox: SHA-256 failed");
		abort();
	}
	EVP_MD_CTX_free(md);
}

int secretbox_key_load(struct secretbox_key *key, const char *path_key)
{
	const char *secret = cfg_read_secret(path_key, CFG_SECRET_MIN_LENGTH);
	if (!secret)
		return -1;
	secretbox_key_from_secret(key, secret);
	return 0;
}

/* Runs AES-256-GCM over in[0..len) into out; the tag is written (seal) or checked (open). */
static bool gcm(bool seal, const struct secretbox_key *key, const char *context, const unsigned char *nonce,
		const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, final = 0;
	bool ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, seal) == 1 &&
		  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
		  EVP_CipherInit_ex(ctx, NULL, NULL, key->bytes, nonce, seal) == 1 &&
		  EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)context, (int)strlen(context)) == 1 &&
		  (len == 0 || EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1) &&
		  (seal || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1) &&
		  EVP_CipherFinal_ex(ctx, out + (len ? n : 0), &final) == 1 &&
		  (!seal || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

char *secretbox_seal(struct arena *arena, const struct secretbox_key *key, const char *context,
		     const void *plaintext, size_t len)
{
	if (len > SECRETBOX_PLAINTEXT_MAX)
		return NULL;
	unsigned char box[NONCE_LEN + SECRETBOX_PLAINTEXT_MAX + TAG_LEN];
	crypto_random(box, NONCE_LEN);
	if (!gcm(true, key, context, box, plaintext, len, box + NONCE_LEN, box + NONCE_LEN + len)) {
		log_error("secretbox: AES-256-GCM seal failed");
		return NULL;
	}
	return arena_printf(arena, PREFIX "%s", base64url_encode(arena, box, NONCE_LEN + len + TAG_LEN));
}

char *secretbox_open(struct arena *arena, const struct secretbox_key *key, const char *context,
		     const char *sealed, size_t *len)
{
	unsigned char box[NONCE_LEN + SECRETBOX_PLAINTEXT_MAX + TAG_LEN];
	if (!sealed || strncmp(sealed, PREFIX, strlen(PREFIX)) != 0)
		return NULL;
	const char *text = sealed + strlen(PREFIX);
	long n = base64url_decode(text, strlen(text), box, sizeof box);
	if (n < NONCE_LEN + TAG_LEN)
		return NULL;
	size_t plain_len = (size_t)n - NONCE_LEN - TAG_LEN;
	char *plain = arena_alloc(arena, plain_len + 1);
	if (!gcm(false, key, context, box, box + NONCE_LEN, plain_len, (unsigned char *)plain,
		 box + NONCE_LEN + plain_len))
		return NULL;
	plain[plain_len] = '\0';
	if (len)
		*len = plain_len;
	return plain;
}
