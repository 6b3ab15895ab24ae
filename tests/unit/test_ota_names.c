/*
 * test_ota_names.c — the file names POST /api/ota/firmware-ready accepts from the
 * station-agent: plain names of the firmware cache, never a path out of it.
 */
#include "service.h"
#include "tap.h"

int main(void)
{
	ok(ota_cache_name_problem("light@0.1.33.bin") == NULL, "the store's own naming");
	ok(ota_cache_name_problem("esp32-light-0.1.33+b7.bin") == NULL, "the agent's naming, with + and -");
	ok(ota_cache_name_problem("a.bin") == NULL, "a short name");
	ok(ota_cache_name_problem("../secrets/agent_token.bin") != NULL, "a path up and out");
	ok(ota_cache_name_problem("/etc/passwd.bin") != NULL, "an absolute path");
	ok(ota_cache_name_problem("sub/light.bin") != NULL, "a directory inside");
	ok(ota_cache_name_problem(".upload-abc.bin") != NULL, "a hidden (temporary) file");
	ok(ota_cache_name_problem("..bin") != NULL, "dots first");
	ok(ota_cache_name_problem("light") != NULL, "not .bin");
	ok(ota_cache_name_problem(".bin") != NULL, "nothing before .bin");
	ok(ota_cache_name_problem("light 1.bin") != NULL, "a space");
	ok(ota_cache_name_problem("light\\1.bin") != NULL, "a backslash");
	char long_name[202];
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	memcpy(long_name + sizeof long_name - 5, ".bin", 4);
	ok(ota_cache_name_problem(long_name) != NULL, "over 200 characters");
	is_str(ota_cache_name_problem("x/y.bin"),
	       "file: must be a file name of the firmware cache (letters, digits and . + _ @ -, ending in .bin)",
	       "the message names the field");
	return done();
}
