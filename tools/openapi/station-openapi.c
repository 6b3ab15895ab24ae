/*
 * station-openapi — prints the OpenAPI 3.1 document of the station's REST API.
 *
 *     station-openapi [DIR]     DIR: where the api-* workers are (default: the installed ones)
 *
 * The document is made from the route tables alone: each worker prints its own path
 * items when started with STATION_PRINT_OPENAPI=1 (cgi/openapi.c), and this program runs
 * every api-* of DIR in name order and wraps their paths into one document with what
 * belongs to no module: info (with the package version), a tag per module, the one Error
 * schema of SPEC §2 and the security schemes. The build runs it on the build directory
 * to make openapi.json, which `make install` puts in $(pkgdatadir) and nginx serves as
 * /api/openapi.json (docs/api.md). It reads no configuration and touches no database.
 *
 * json-c reads what a worker printed (a check that it is one JSON object); the json
 * writer writes the document. A worker that fails, prints something else, or declares a
 * path another module already has, is an error: nothing is printed and the exit status is 1.
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "build_config.h" /* PACKAGE_VERSION */
#include "json_writer.h"

#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/libexec/smart-station"
#endif

#define MAX_WORKERS 64

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The api-<module> programs of dir, sorted; their count, or -1 when dir cannot be read. */
static int find_workers(struct arena *a, const char *dir, const char *out[MAX_WORKERS])
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < MAX_WORKERS) {
		if (strncmp(e->d_name, "api-", 4) != 0 || strchr(e->d_name, '.'))
			continue;
		const char *path = arena_printf(a, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			out[n++] = path;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof out[0], by_name);
	return n;
}

/* Runs one worker with STATION_PRINT_OPENAPI=1 and returns what it printed, or NULL. */
static const char *run_worker(struct arena *a, const char *path)
{
	int fds[2];
	if (pipe(fds) != 0)
		return NULL;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		setenv("STATION_PRINT_OPENAPI", "1", 1);
		execl(path, path, (char *)NULL);
		fprintf(stderr, "station-openapi: cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	struct buf out;
	buf_init(&out, a);
	char chunk[8192];
	ssize_t got;
	while ((got = read(fds[0], chunk, sizeof chunk)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		buf_append(&out, chunk, (size_t)got);
	}
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "station-openapi: %s failed (status %d)\n", path, status);
		return NULL;
	}
	return out.data ? out.data : "";
}

static void write_error_schema(struct jw *w)
{
	jw_key(w, "Error");
	jw_object_begin(w);
	jw_member_string(w, "description", "every error (SPEC §2): the status, its reason phrase, and a short "
					   "lower-case message naming the field when input was refused");
	jw_member_string(w, "type", "object");
	jw_key(w, "required");
	jw_array_begin(w);
	jw_string(w, "statusCode");
	jw_string(w, "error");
	jw_string(w, "message");
	jw_array_end(w);
	jw_key(w, "properties");
	jw_object_begin(w);
	jw_key(w, "statusCode");
	jw_object_begin(w);
	jw_member_string(w, "type", "integer");
	jw_object_end(w);
	jw_key(w, "error");
	jw_object_begin(w);
	jw_member_string(w, "type", "string");
	jw_object_end(w);
	jw_key(w, "message");
	jw_object_begin(w);
	jw_member_string(w, "type", "string");
	jw_object_end(w);
	jw_object_end(w);
	jw_member_bool(w, "additionalProperties", false);
	jw_object_end(w);
}

static void write_scheme(struct jw *w, const char *name, const char *type, const char *scheme_or_in,
			 const char *header_name, const char *description)
{
	jw_key(w, name);
	jw_object_begin(w);
	jw_member_string(w, "type", type);
	if (strcmp(type, "http") == 0) {
		jw_member_string(w, "scheme", scheme_or_in);
		if (header_name)
			jw_member_string(w, "bearerFormat", header_name);
	} else {
		jw_member_string(w, "in", scheme_or_in);
		jw_member_string(w, "name", header_name);
	}
	jw_member_string(w, "description", description);
	jw_object_end(w);
}

static void write_security_schemes(struct jw *w)
{
	jw_key(w, "securitySchemes");
	jw_object_begin(w);
	write_scheme(w, "accessToken", "http", "bearer", "JWT",
		     "a user's access token (HS256, 15 min) from /api/auth/login or /api/auth/refresh; "
		     "x-station-who says which roles (member, admin, owner) an operation admits");
	write_scheme(w, "accessTokenCookie", "apiKey", "cookie", "access_token",
		     "the same access token as the HttpOnly cookie the login sets; a cookie-authenticated "
		     "write must be application/json and come from the station's own origin");
	write_scheme(w, "deviceToken", "apiKey", "header", "X-Device-Token",
		     "a device's token, shown once when the device is created or its token rotated "
		     "(Device-Token is accepted too)");
	write_scheme(w, "agentToken", "http", "bearer", NULL, "the station-agent's token, from the file "
							      "auth.agent_token_file names");
	jw_object_end(w);
}

int main(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: station-openapi [DIR]   (DIR: where the api-* workers are, default %s)\n",
			PKGLIBEXECDIR);
		return 2;
	}
	const char *dir = argc == 2 ? argv[1] : PKGLIBEXECDIR;
	struct arena *a = arena_new();
	const char *workers[MAX_WORKERS];
	int n = find_workers(a, dir, workers);
	if (n <= 0) {
		fprintf(stderr, "station-openapi: no api-* worker in %s%s%s\n", dir, n < 0 ? ": " : "",
			n < 0 ? strerror(errno) : "");
		arena_destroy(a);
		return 1;
	}

	struct json_object *parts[MAX_WORKERS] = { 0 };
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *text = run_worker(a, workers[i]);
		struct json_object *paths;
		parts[i] = text ? json_tokener_parse(text) : NULL;
		if (!parts[i] || !json_object_is_type(parts[i], json_type_object) ||
		    !json_object_is_type(json_object_object_get(parts[i], "module"), json_type_string) ||
		    !json_object_object_get_ex(parts[i], "paths", &paths) ||
		    !json_object_is_type(paths, json_type_object)) {
			fprintf(stderr, "station-openapi: %s did not print its paths as {\"module\",\"paths\"}\n",
				workers[i]);
			rc = 1;
		}
	}
	/* No two modules may claim one path. */
	for (int i = 0; i < n && rc == 0; i++) {
		json_object_object_foreach(json_object_object_get(parts[i], "paths"), path, item) {
			for (int j = 0; j < i; j++) {
				if (json_object_object_get_ex(json_object_object_get(parts[j], "paths"), path, NULL)) {
					fprintf(stderr, "station-openapi: %s and %s both declare %s\n", workers[j],
						workers[i], path);
					rc = 1;
				}
			}
		}
	}

	if (rc == 0) {
		struct buf out;
		buf_init(&out, a);
		struct jw w;
		jw_init(&w, &out);
		jw_object_begin(&w);
		jw_member_string(&w, "openapi", "3.1.0");
		jw_key(&w, "info");
		jw_object_begin(&w);
		jw_member_string(&w, "title", "Smart Station");
		jw_member_string(&w, "version", PACKAGE_VERSION);
		jw_member_string(&w, "description",
				 "The REST API of a Smart Station, generated from the route tables of its "
				 "workers: who may call each operation, what it accepts and every status it "
				 "may answer. Errors always have the body of components/schemas/Error.");
		jw_object_end(&w);
		jw_key(&w, "tags");
		jw_array_begin(&w);
		for (int i = 0; i < n; i++) {
			jw_object_begin(&w);
			jw_member_string(&w, "name", json_object_get_string(json_object_object_get(parts[i], "module")));
			jw_object_end(&w);
		}
		jw_array_end(&w);
		jw_key(&w, "paths");
		jw_object_begin(&w);
		for (int i = 0; i < n; i++) {
			json_object_object_foreach(json_object_object_get(parts[i], "paths"), path, item) {
				jw_key(&w, path);
				jw_raw(&w, json_object_to_json_string_ext(item, JSON_C_TO_STRING_PLAIN |
										JSON_C_TO_STRING_NOSLASHESCAPE));
			}
		}
		jw_object_end(&w);
		jw_key(&w, "components");
		jw_object_begin(&w);
		jw_key(&w, "schemas");
		jw_object_begin(&w);
		write_error_schema(&w);
		jw_object_end(&w);
		write_security_schemes(&w);
		jw_object_end(&w);
		jw_object_end(&w);
		buf_putc(&out, '\n');
		if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
			fprintf(stderr, "station-openapi: cannot write the document: %s\n", strerror(errno));
			rc = 1;
		}
	}
	for (int i = 0; i < n; i++)
		json_object_put(parts[i]);
	arena_destroy(a);
	return rc;
}
