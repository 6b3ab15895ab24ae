/*
 * station-migrate.c — brings a station's database and secrets up to date.
 *
 *   1. waits (bounded) for the database, then takes an advisory lock, so two
 *      concurrent runs are safe;
 *   2. applies sql/migrations/NNN_name.sql in order, each in its own transaction,
 *      recording version and SHA-256 in schema_migrations; refuses to run when an
 *      applied file has changed since;
 *   3. re-applies every file of the registry directory (built-in device types), so
 *      the registry matches this release on every run;
 *   4. creates the station row (its id is the MQTT stationId) and its settings row, and
 *      any missing secret file (JWT secret, agent token, the daemons' MQTT password, the
 *      key of the stored Wi-Fi password) with mode 0600.
 *
 * Usage: station-migrate [--print-config]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "repo.h"

#define MAX_FILES 512
#define CONNECT_ATTEMPTS 30

/* Logs why the run stops; returns the exit status. */
static int die(const char *what, const char *detail)
{
	log_fields(LOG_ERROR, what, "detail", detail, NULL);
	return 1;
}

static char *read_file(struct arena *arena, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b, arena);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.data;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names in dir that match pattern; count in *n. NULL if dir is unreadable. */
static char **list_sql_files(struct arena *arena, const char *dir, const char *pattern, int *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	regex_t re;
	regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
	char **names = arena_alloc(arena, sizeof(char *) * MAX_FILES);
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && *n < MAX_FILES)
		if (regexec(&re, e->d_name, 0, NULL, 0) == 0)
			names[(*n)++] = arena_strdup(arena, e->d_name);
	closedir(d);
	regfree(&re);
	qsort(names, (size_t)*n, sizeof(char *), compare_names);
	return names;
}

static int connect_bounded(struct db *db)
{
	for (int attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt++) {
		if (db_connect(db) == 0)
			return 0;
		if (attempt == 1)
			log_warn("database unreachable (%s); retrying for %d s", db_last_error(db), CONNECT_ATTEMPTS);
		sleep(1);
	}
	return die("database unreachable", db_last_error(db));
}

/* Runs one file inside a transaction; records it in the ledger when version is set. */
static int run_in_transaction(struct db *db, struct arena *arena, const char *path, const char *sql,
			      const char *version, const char *name, const char *checksum)
{
	if (db_begin(db, arena) != DB_OK || db_exec_script(db, arena, sql, NULL) != DB_OK ||
	    (version && migrate_repo_record(db, arena, version, name, checksum) != DB_OK) ||
	    db_commit(db, arena) != DB_OK) {
		log_fields(LOG_ERROR, "migration failed; nothing of it was applied", "file", path,
			   "error", db_last_error(db), NULL);
		db_rollback(db, arena);
		return 1;
	}
	return 0;
}

static int apply_migrations(struct db *db, struct arena *arena, const char *dir)
{
	int n;
	char **files = list_sql_files(arena, dir, "^[0-9]{3}_[a-z0-9_]+\\.sql$", &n);
	if (!files)
		return die("cannot read the migrations directory", dir);
	int applied = 0;
	for (int i = 0; i < n; i++) {
		const char *path = arena_printf(arena, "%s/%s", dir, files[i]);
		size_t len;
		const char *sql = read_file(arena, path, &len);
		if (!sql)
			return die("cannot read migration file", path);
		const char *version = arena_strndup(arena, files[i], 3);
		const char *checksum = sha256_hex(arena, sql, len), *recorded;
		if (migrate_repo_applied_checksum(db, arena, version, &recorded) != DB_OK)
			return die("cannot read schema_migrations", db_last_error(db));
		if (recorded) {
			if (strcmp(recorded, checksum) != 0) {
				log_fields(LOG_ERROR, "an applied migration has changed; refusing to continue",
					   "file", path, "recorded", recorded, "now", checksum, NULL);
				return 1;
			}
			continue;
		}
		if (run_in_transaction(db, arena, path, sql, version, files[i], checksum))
			return 1;
		log_fields(LOG_INFO, "migration applied", "file", files[i], NULL);
		applied++;
	}
	log_info("schema up to date (%d migrations, %d applied now)", n, applied);
	return 0;
}

static int sync_registry(struct db *db, struct arena *arena, const char *migrations_dir)
{
	char *copy = arena_strdup(arena, migrations_dir);
	const char *dir = arena_printf(arena, "%s/registry", dirname(copy));
	int n;
	char **files = list_sql_files(arena, dir, "^[a-z0-9_]+\\.sql$", &n);
	if (!files) {
		log_warn("no registry directory %s; built-in registry not synced", dir);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		const char *path = arena_printf(arena, "%s/%s", dir, files[i]);
		size_t len;
		const char *sql = read_file(arena, path, &len);
		if (!sql || run_in_transaction(db, arena, path, sql, NULL, NULL, NULL))
			return die("cannot apply registry file", path);
		log_fields(LOG_INFO, "registry synced", "file", files[i], NULL);
	}
	return 0;
}

/* Creates the parent directory (0700) and the secret file (0600) when missing. */
static int ensure_secret(struct arena *arena, const char *key)
{
	const char *path = cfg_string(key);
	if (access(path, F_OK) == 0)
		return 0;
	char *parent = dirname(arena_strdup(arena, path));
	if (mkdir(parent, 0700) != 0 && errno != EEXIST)
		return die("cannot create the directory for secrets", parent);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return errno == EEXIST ? 0 : die("cannot create secret file", path);
	const char *secret = token_new(arena);
	size_t len = strlen(secret);
	int ok = write(fd, secret, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
	close(fd);
	if (!ok)
		return die("cannot write secret file", path);
	log_fields(LOG_INFO, "secret created", "key", key, "path", path, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	log_init("migrate");
	if (argc > 1 && strcmp(argv[1], "--print-config") == 0) {
		cfg_print_reference();
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: station-migrate [--print-config]\n");
		return 2;
	}
	if (cfg_load() != 0)
		return 2;
	struct arena *arena = arena_new();
	if (ensure_secret(arena, "auth.jwt_secret_file") || ensure_secret(arena, "auth.agent_token_file") ||
	    ensure_secret(arena, "mqtt.daemon_password_file") || ensure_secret(arena, "settings.secret_key_file"))
		return 1;
	struct db *db = db_new("station-migrate");
	if (connect_bounded(db))
		return 1;
	if (migrate_repo_lock(db, arena) != DB_OK || migrate_repo_ensure_ledger(db, arena) != DB_OK)
		return die("cannot prepare the migration ledger", db_last_error(db));
	const char *dir = cfg_string("migrate.dir");
	if (apply_migrations(db, arena, dir) || sync_registry(db, arena, dir))
		return 1;
	const char *station_id;
	if (migrate_repo_ensure_station(db, arena, &station_id) != DB_OK || !station_id)
		return die("cannot create the station row", db_last_error(db));
	if (migrate_repo_ensure_settings(db, arena) != DB_OK)
		return die("cannot create the station's settings row", db_last_error(db));
	log_fields(LOG_INFO, "station ready", "stationId", station_id, NULL);
	db_close(db);
	arena_destroy(arena);
	return 0;
}
