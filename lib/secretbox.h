/*
 * secretbox.h — sealing a small secret for storage, so that a database dump alone does
 * not reveal it (the Wi-Fi password that provisioning hands to devices).
 *
 * AES-256-GCM (OpenSSL EVP) with a random 96-bit nonce per seal; the sealed text is
 * "v1." + base64url(nonce | ciphertext | 128-bit tag), safe in a text column. A context
 * string ("station_settings.wifi_password") is authenticated with it, so a sealed value
 * copied into another column does not open there. The key is derived from a secret file
 * (cfg_read_secret: mode 0600, at least CFG_SECRET_MIN_LENGTH characters) as
 * SHA-256("smart-station secretbox v1" NUL secret). Opening fails, never guesses: a wrong
 * key, a changed byte or a malformed text all give NULL.
 */
#ifndef STATION_SECRETBOX_H
#define STATION_SECRETBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* The longest plaintext a seal accepts (a Wi-Fi password is at most 64 bytes). */
#define SECRETBOX_PLAINTEXT_MAX 1024

struct secretbox_key {
	unsigned char bytes[32];
};

/* Derives the key from the text of a secret (the first line of the secret file). */
void secretbox_key_from_secret(struct secretbox_key *key, const char *secret);
/* Reads the secret file named by config key path_key and derives the key; 0, or -1 after
 * logging why (missing, loose mode, too short: cfg_read_secret's messages). */
int secretbox_key_load(struct secretbox_key *key, const char *path_key);

/* The sealed text of plaintext[0..len) in the arena; NULL when len exceeds
 * SECRETBOX_PLAINTEXT_MAX or OpenSSL fails (logged). */
char *secretbox_seal(struct arena *arena, const struct secretbox_key *key, const char *context,
		     const void *plaintext, size_t len);
/* The plaintext of a sealed text (NUL-terminated, length in *len when len is not NULL),
 * or NULL when it was not sealed with this key and context, was changed, or is not a
 * sealed text at all. */
char *secretbox_open(struct arena *arena, const struct secretbox_key *key, const char *context,
		     const char *sealed, size_t *len);

#endif
