/*
 * test_secretbox.c — sealed secrets (lib/secretbox.c): a round trip, a fresh nonce per
 * seal, and refusals of a wrong key, another context, a changed byte anywhere, a
 * shortened or malformed text.
 */
#include <string.h>

#include "arena.h"
#include "secretbox.h"
#include "tap.h"

#define CONTEXT "station_settings.wifi_password"

/* text with the character at i replaced by another one of the base64url alphabet. */
static char *flipped(struct arena *a, const char *text, size_t i)
{
	char *copy = arena_strdup(a, text);
	copy[i] = copy[i] == 'A' ? 'B' : 'A';
	return copy;
}

int main(void)
{
	struct arena *a = arena_new();
	struct secretbox_key key, other;
	secretbox_key_from_secret(&key, "0123456789abcdef0123456789abcdef0123456789a");
	secretbox_key_from_secret(&other, "0123456789abcdef0123456789abcdef0123456789b");
	ok(memcmp(key.bytes, other.bytes, sizeof key.bytes) != 0, "different secrets give different keys");

	const char *password = "correct horse battery staple";
	char *sealed = secretbox_seal(a, &key, CONTEXT, password, strlen(password));
	ok(sealed && strncmp(sealed, "v1.", 3) == 0, "sealed text is versioned");
	ok(sealed && !strstr(sealed, "horse"), "sealed text does not contain the plaintext");
	size_t len = 0;
	char *opened = secretbox_open(a, &key, CONTEXT, sealed, &len);
	is_str(opened, password, "round trip");
	ok(len == strlen(password), "round trip keeps the length");

	char *again = secretbox_seal(a, &key, CONTEXT, password, strlen(password));
	ok(again && strcmp(again, sealed) != 0, "a fresh nonce per seal: the same plaintext seals differently");
	is_str(secretbox_open(a, &key, CONTEXT, again, NULL), password, "the second seal opens too");

	ok(secretbox_open(a, &other, CONTEXT, sealed, NULL) == NULL, "wrong key: refused");
	ok(secretbox_open(a, &key, "station_settings.other", sealed, NULL) == NULL, "another context: refused");

	size_t n = strlen(sealed), refused = 0;
	for (size_t i = 3; i < n - 1; i++) /* the last character may carry padding bits only */
		refused += secretbox_open(a, &key, CONTEXT, flipped(a, sealed, i), NULL) == NULL;
	ok(refused == n - 4, "a changed character anywhere (nonce, ciphertext, tag): refused (%zu of %zu)", refused, n - 4);
	ok(secretbox_open(a, &key, CONTEXT, arena_strndup(a, sealed, n - 4), NULL) == NULL, "shortened: refused");
	ok(secretbox_open(a, &key, CONTEXT, sealed + 3, NULL) == NULL, "without its version: refused");
	ok(secretbox_open(a, &key, CONTEXT, "v1.", NULL) == NULL, "empty: refused");
	ok(secretbox_open(a, &key, CONTEXT, "v1.!!!!", NULL) == NULL, "not base64url: refused");
	ok(secretbox_open(a, &key, CONTEXT, NULL, NULL) == NULL, "NULL: refused");

	char *empty = secretbox_seal(a, &key, CONTEXT, "", 0);
	is_str(secretbox_open(a, &key, CONTEXT, empty, NULL), "", "an empty plaintext round-trips");
	char big[SECRETBOX_PLAINTEXT_MAX + 1];
	memset(big, 'x', sizeof big);
	ok(secretbox_seal(a, &key, CONTEXT, big, sizeof big) == NULL, "a plaintext over the limit is refused");
	char *largest = secretbox_seal(a, &key, CONTEXT, big, SECRETBOX_PLAINTEXT_MAX);
	ok(largest && secretbox_open(a, &key, CONTEXT, largest, &len) && len == SECRETBOX_PLAINTEXT_MAX,
	   "the largest plaintext round-trips");
	arena_destroy(a);
	return done();
}
