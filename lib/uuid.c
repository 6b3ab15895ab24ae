/*
 * uuid.c — UUID syntax check, so that a malformed id is a 404, never a database error.
 */
#include "uuid.h"

#include <ctype.h>
#include <string.h>

bool uuid_is_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}
