/*
 * external_id.c — the external id rule (see external_id.h). Self-contained: the broker
 * plugin compiles this file alone, without the rest of libstation.
 */
#include "external_id.h"

bool device_external_id_valid(const char *s, size_t n)
{
	if (!s || n < 1 || n > DEVICE_EXTERNAL_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.' || c == ':' || c == '-'))
			return false;
	}
	return true;
}
