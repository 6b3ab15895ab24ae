/*
 * secret_file.c — the daemons' MQTT password against its secret file (see secret_file.h).
 *
 * The file is parsed as lib/config.c's cfg_read_secret parses it for mqttd (first line,
 * surrounding white space trimmed), so both sides agree on the secret. The comparison
 * hashes both strings with SHA-256 and compares the digests with CRYPTO_memcmp, so it
 * takes the same time whatever the lengths and contents. Buffers are wiped after use;
 * neither the secret nor the presented password is ever logged (the file's path is).
 */
#include "secret_file.h"

#include <ctype.h>
#include <errno.h>
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define LOG_PREFIX "smart-station auth: "
#define SECRET_MAX 1024

static bool digest(const char *s, unsigned char md[EVP_MAX_MD_SIZE])
{
	unsigned int n = 0;
	return EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) == 1 && n == 32;
}

enum secret_verdict secret_file_check(const char *path, const char *password)
{
	char line[SECRET_MAX];
	unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	enum secret_verdict verdict = SECRET_UNREADABLE;

	FILE *f = fopen(path, "r");
	if (!f) {
		mosquitto_log_printf(MOSQ_LOG_ERR, LOG_PREFIX "daemon password file %s: %s; daemon login refused", path,
				     strerror(errno));
		return SECRET_UNREADABLE;
	}
	if (!fgets(line, sizeof line, f))
		line[0] = '\0';
	fclose(f);

	char *s = line, *end = line + strlen(line);
	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';

	if (!*s) {
		mosquitto_log_printf(MOSQ_LOG_ERR, LOG_PREFIX "daemon password file %s is empty; daemon login refused",
				     path);
	} else if (!password) {
		verdict = SECRET_MISMATCH;
	} else if (digest(s, want) && digest(password, got)) {
		verdict = CRYPTO_memcmp(want, got, 32) == 0 ? SECRET_MATCH : SECRET_MISMATCH;
	}
	OPENSSL_cleanse(line, sizeof line);
	OPENSSL_cleanse(want, sizeof want);
	OPENSSL_cleanse(got, sizeof got);
	return verdict;
}
