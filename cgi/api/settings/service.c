/*
 * service.c — rules of the settings module (api-settings): time zones and language tags.
 *
 * A time zone is looked up in the system's zoneinfo database by name, so the name is
 * checked first to be one that can only name a file inside it: components of letters,
 * digits, _ + and - separated by single slashes, starting with a capital letter (which
 * also leaves out "localtime", "posixrules" and the posix/ and right/ copies); no dot
 * anywhere, so no "..", no leading "/". Then the file must be a regular TZif file.
 * A JSON string with a NUL in it ("Europe/Paris\u0000…") is refused outright: C would
 * see only what comes before it. No SQL here.
 */
#include "service.h"

#include <ctype.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The longest zone name accepted (the longest in tzdata is 32 characters). */
#define TIMEZONE_NAME_MAX 64

static bool timezone_name_is_safe(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > TIMEZONE_NAME_MAX || !(name[0] >= 'A' && name[0] <= 'Z') || name[n - 1] == '/')
		return false;
	for (const char *p = name; *p; p++) {
		if (*p == '/' ? p[1] == '/' : !(isalnum((unsigned char)*p) || *p == '_' || *p == '+' || *p == '-'))
			return false;
	}
	return true;
}

static bool timezone_exists(const char *name)
{
	char path[sizeof SETTINGS_ZONEINFO_DIR + 1 + TIMEZONE_NAME_MAX + 1], magic[4];
	memcpy(path, SETTINGS_ZONEINFO_DIR "/", sizeof SETTINGS_ZONEINFO_DIR);
	strcpy(path + sizeof SETTINGS_ZONEINFO_DIR, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return false;
	struct stat st;
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read(fd, magic, 4) == 4 &&
		  memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok;
}

const char *settings_timezone_check(const struct field_check_input *in, int *status)
{
	(void)status;
	const char *name = json_object_get_string(in->value);
	if (strlen(name) == (size_t)json_object_get_string_len(in->value) && timezone_name_is_safe(name) &&
	    timezone_exists(name))
		return NULL;
	return arena_printf(in->arena, "%s: must be a time zone of the zoneinfo database, like Europe/Paris", in->path);
}

/* Subtag classes of RFC 5646 (ASCII only). */
static bool all_of(const char *s, size_t n, int (*is)(int))
{
	for (size_t i = 0; i < n; i++)
		if (!is((unsigned char)s[i]))
			return false;
	return true;
}
static bool alpha(const char *s, size_t n, size_t min, size_t max)
{
	return n >= min && n <= max && all_of(s, n, isalpha);
}
static bool alnum(const char *s, size_t n, size_t min, size_t max)
{
	return n >= min && n <= max && all_of(s, n, isalnum);
}

bool locale_tag_is_well_formed(const char *tag)
{
	const char *sub[64];
	size_t len[64], count = 0;
	for (const char *p = tag;; p++) { /* split at "-": every subtag 1 to 8 ASCII letters or digits */
		size_t n = strcspn(p, "-");
		if (count == 64 || !alnum(p, n, 1, 8))
			return false;
		sub[count] = p;
		len[count++] = n;
		p += n;
		if (!*p)
			break;
	}
	size_t i = 0;
#define IS(k) (len[i] == 1 && tolower((unsigned char)sub[i][0]) == (k))
	if (!IS('x')) {
		if (!alpha(sub[i], len[i], 2, 8)) /* language */
			return false;
		bool short_language = len[i++] <= 3;
		for (int e = 0; short_language && e < 3 && i < count && alpha(sub[i], len[i], 3, 3); e++)
			i++; /* extlang */
		if (i < count && alpha(sub[i], len[i], 4, 4))
			i++; /* script */
		if (i < count && (alpha(sub[i], len[i], 2, 2) || (len[i] == 3 && all_of(sub[i], 3, isdigit))))
			i++; /* region */
		while (i < count && (alnum(sub[i], len[i], 5, 8) || (len[i] == 4 && isdigit((unsigned char)sub[i][0]))))
			i++; /* variants */
		while (i < count && len[i] == 1 && !IS('x')) { /* extensions: a singleton, then 2-8 */
			size_t first = ++i;
			while (i < count && len[i] >= 2)
				i++;
			if (i == first)
				return false;
		}
		if (i == count)
			return true;
		if (!IS('x'))
			return false;
	}
	i++; /* private use: "x", then at least one subtag of 1-8 */
#undef IS
	return i < count;
}

const char *settings_locale_check(const struct field_check_input *in, int *status)
{
	(void)status;
	const char *tag = json_object_get_string(in->value);
	if (strlen(tag) == (size_t)json_object_get_string_len(in->value) && locale_tag_is_well_formed(tag))
		return NULL;
	return arena_printf(in->arena, "%s: must be a BCP 47 language tag, like en or de-CH", in->path);
}
