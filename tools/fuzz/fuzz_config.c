/*
 * fuzz_config.c — the configuration file's `key = value` lines (lib/config.c,
 * cfg_parse_stream: the file step of cfg_load), read from memory.
 *
 * The table of values is the process's own, so values set by earlier inputs stay, as
 * a file's do under later environment overrides; each line is parsed on its own, so an
 * input that crashes crashes alone. Invariants: a file without a bad line is accepted; a
 * key it sets reads back as cfg_string() with no blanks at either end. The parser logs
 * every bad line on stderr, so stderr points to /dev/null while it runs.
 */
#include <ctype.h>
#include <fcntl.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	static int devnull = -1;
	if (devnull < 0)
		devnull = open("/dev/null", O_WRONLY);
	int saved = dup(2);
	dup2(devnull, 2);
	int rc = cfg_parse_stream(f, "fuzz");
	dup2(saved, 2);
	close(saved);
	fclose(f);
	FUZZ_CHECK(rc == 0 || rc == -1);
	static const char *const keys[] = { "log.level", "db.conninfo", "http.allowed_origins", "mqtt.host" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = cfg_string(keys[i]);
		size_t n = strlen(v);
		FUZZ_CHECK(n == 0 || (!isspace((unsigned char)v[0]) && !isspace((unsigned char)v[n - 1])));
	}
	return 0;
}
