/*
 * password.c — password hashing and verification through libxcrypt (see crypto.h).
 *
 * crypt_r() needs a large scratch area (struct crypt_data); it is allocated once per
 * process, since a worker handles one request at a time.
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"

static struct crypt_data *crypt_scratch(void)
{
	static struct crypt_data *data;
	if (!data)
		data = xcalloc(1, sizeof *data);
	return data;
}

char *password_hash(struct arena *arena, const char *password, int cost)
{
	unsigned char entropy[16];
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	crypto_random(entropy, sizeof entropy);
	if (!crypt_gensalt_rn("$2b$", (unsigned long)cost, (const char *)entropy, sizeof entropy, salt, sizeof salt)) {
		log_error("crypt_gensalt failed");
		return NULL;
	}
	struct crypt_data *data = crypt_scratch();
	memset(data, 0, sizeof *data);
	const char *hash = crypt_r(password, salt, data);
	if (!hash || hash[0] == '*') {
		log_error("crypt failed");
		return NULL;
	}
	return arena_strdup(arena, hash);
}

static bool hash_format_supported(const char *hash)
{
	return strncmp(hash, "$2a$", 4) == 0 || strncmp(hash, "$2b$", 4) == 0 ||
	       strncmp(hash, "$2y$", 4) == 0 || strncmp(hash, "$y$", 3) == 0;
}

bool password_verify(const char *password, const char *hash)
{
	if (!hash || !hash_format_supported(hash))
		return false;
	struct crypt_data *data = crypt_scratch();
	memset(data, 0, sizeof *data);
	const char *computed = crypt_r(password, hash, data);
	if (!computed || computed[0] == '*')
		return false;
	return secret_equal(computed, hash);
}

void password_verify_dummy(const char *password)
{
	/* A fixed cost-12 bcrypt hash of a random string: the cost of a real check, never a match. */
	static const char dummy[] = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuO6iYkCAbJ5n2gM6Cu5hC4VwaxJt8cB2";
	(void)password_verify(password, dummy);
}
