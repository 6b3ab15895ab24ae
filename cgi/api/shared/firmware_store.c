/*
 * firmware_store.c — the firmware directory and its register (firmware_store.h), for
 * api-firmware and api-ota. No SQL here: the statements are firmware_repo.c's.
 *
 * An upload never sits in memory: it goes from the FastCGI stream to a temporary file
 * of the firmware directory in 64 KiB pieces while its SHA-256 is computed, is fsynced,
 * checked as an ESP32 app image (lib/esp_image.h) by reading the file back, and only
 * then renamed to its name — so the directory holds whole images or nothing, and nginx
 * never serves half a file. The temporary file is removed when the request ends unless
 * it was renamed.
 */
#include "firmware_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "esp_image.h"
#include "firmware_repo.h"
#include "crypto.h"
#include "log.h"

#define CHUNK (64 * 1024)
#define AGENT_TYPE_PREFIX "esp32-"

const char *firmware_type_canonical(const char *type)
{
	size_t n = strlen(AGENT_TYPE_PREFIX);
	return strncmp(type, AGENT_TYPE_PREFIX, n) == 0 && type[n] ? type + n : type;
}

static bool all_in(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

const char *firmware_type_problem(const char *type)
{
	type = firmware_type_canonical(type); /* the type as it is stored ("esp32--x" is "-x") */
	size_t n = strlen(type);
	if (n == 0 || n > 64 || type[0] == '-' || type[0] == '_' || !all_in(type, "-_"))
		return "must be a device type like light or esp32-light";
	return NULL;
}

const char *firmware_version_problem(const char *version)
{
	size_t n = strlen(version);
	bool ok = n > 0 && n <= 64;
	for (size_t i = 0; ok && i < n; i++) {
		char c = version[i];
		ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		     (i > 0 && strchr(".+_-", c));
	}
	return ok ? NULL : "version: must be like 0.1.32 (letters, digits and . + _ -)";
}

const char *firmware_sha256_problem(const char *sha256)
{
	if (strncmp(sha256, "sha256:", 7) == 0)
		sha256 += 7;
	bool ok = strlen(sha256) == 64;
	for (const char *p = sha256; ok && *p; p++)
		ok = hex_digit_value(*p) >= 0;
	return ok ? NULL : "sha256: must be 64 hex digits";
}

const char *firmware_names_problem(struct arena *arena, const char *type_field, const char *type, const char *version,
				   const char *sha256)
{
	if (!type || !version)
		return type ? "version: is required" : arena_printf(arena, "%s: is required", type_field);
	const char *problem = firmware_type_problem(type);
	if (problem)
		return arena_printf(arena, "%s: %s", type_field, problem);
	problem = firmware_version_problem(version);
	if (!problem && sha256)
		problem = firmware_sha256_problem(sha256);
	return problem;
}

bool firmware_sha256_matches(const char *given, const char *hex)
{
	return strcasecmp(strncmp(given, "sha256:", 7) == 0 ? given + 7 : given, hex) == 0;
}

int firmware_register_or_reply(struct request *req, const char *type, const char *version, const char *file_name,
			       const struct firmware_upload *up, const char *source, PGresult **image, bool *created)
{
	*image = db_run(req, firmwares_insert, type, version, file_name, db_param_long(req, up->size), up->sha256,
			source);
	if (!*image)
		return req->status;
	*created = PQntuples(*image) == 1;
	if (*created)
		return 0;
	*image = db_row(req, "firmware not found", firmwares_by_version, type, version);
	if (!*image)
		return req->status;
	if (strcmp(db_value(*image, 0, FIRMWARE_COL_SHA256), up->sha256) != 0)
		return reply_error(req, 409, "version: %s %s exists with other bytes", type, version);
	return 0;
}

const char *firmware_file_name(struct request *req, const char *type, const char *version)
{
	return arena_printf(req->arena, "%s@%s.bin", type, version);
}

const char *firmware_internal_uri(struct request *req, const char *file_name)
{
	return arena_printf(req->arena, "/firmware-files/%s", file_name);
}

static const char *dir_path(void)
{
	return cfg_string("firmware.dir");
}

int firmware_dir_ready(void)
{
	const char *dir = dir_path();
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		log_error("firmware.dir %s cannot be created: %s", dir, strerror(errno));
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		log_error("firmware.dir %s is not writable: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Arena cleanup of an upload: its descriptor closed, its temporary file gone if still there. */
struct temp_file {
	int fd;
	const char *path;
};

static void temp_file_drop(void *p)
{
	struct temp_file *t = p;
	if (t->fd >= 0)
		close(t->fd);
	if (unlink(t->path) != 0 && errno != ENOENT)
		log_warn("cannot remove %s: %s", t->path, strerror(errno));
}

/* Arena cleanup of a file read in place: its descriptor closed, the file kept. */
static void fd_close(void *p)
{
	close(((struct temp_file *)p)->fd);
}

static int read_fd(void *ctx, uint64_t offset, void *buf, size_t len)
{
	const struct temp_file *t = ctx;
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(t->fd, (char *)buf + got, len - got, (off_t)(offset + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

static long read_raw_body(void *ctx, void *buf, size_t cap)
{
	return req_body_read(ctx, buf, cap);
}

int firmware_receive_or_reply(struct request *req, struct firmware_upload *up)
{
	struct firmware_source raw = { read_raw_body, req, 0 };
	return firmware_receive_from_or_reply(req, &raw, up);
}

int firmware_receive_from_or_reply(struct request *req, const struct firmware_source *src, struct firmware_upload *up)
{
	long long max = cfg_int("firmware.max_bytes"), declared = req_body_length(req);
	if (declared > max + src->framing)
		return reply_error(req, 413, "body: larger than %lld bytes", max);
	if (declared == 0)
		return reply_error(req, 400, "body: the image is missing");

	struct temp_file *t = arena_alloc(req->arena, sizeof *t);
	char *path = arena_printf(req->arena, "%s/.upload-XXXXXX", dir_path());
	t->path = path;
	t->fd = mkstemp(path);
	if (t->fd < 0) {
		log_error("cannot create a file in %s: %s", dir_path(), strerror(errno));
		return reply_error(req, 500, "cannot store the image");
	}
	arena_on_reset(req->arena, temp_file_drop, t);

	struct sha256_stream *sha = sha256_begin(req->arena);
	char *buf = arena_alloc(req->arena, CHUNK);
	long long size = 0;
	for (;;) {
		long n = src->read(src->ctx, buf, CHUNK);
		if (n < 0)
			return req->status ? req->status : reply_error(req, 400, "body: cannot be read");
		if (n == 0)
			break;
		size += n;
		if (size > max)
			return reply_error(req, 413, "body: larger than %lld bytes", max);
		sha256_update(sha, buf, (size_t)n);
		if (!write_all(t->fd, buf, (size_t)n)) {
			log_error("cannot write %s: %s", t->path, strerror(errno));
			return reply_error(req, 500, "cannot store the image");
		}
	}
	if (size == 0)
		return reply_error(req, 400, "body: the image is missing");
	if (src->framing == 0 && declared >= 0 && size != declared)
		return reply_error(req, 400, "body: shorter than its content-length");
	if (fsync(t->fd) != 0) {
		log_error("cannot fsync %s: %s", t->path, strerror(errno));
		return reply_error(req, 500, "cannot store the image");
	}
	const char *problem = esp_image_check(req->arena, (uint64_t)size, read_fd, t);
	if (problem)
		return reply_error(req, 400, "%s", problem);
	unsigned char digest[32];
	sha256_final(sha, digest);
	up->temp_path = t->path;
	up->size = size;
	up->sha256 = hex_encode(req->arena, digest, sizeof digest);
	return 0;
}

static int fsync_dir_or_reply(struct request *req)
{
	int fd = open(dir_path(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		log_error("cannot fsync %s: %s", dir_path(), strerror(errno));
		if (fd >= 0)
			close(fd);
		return reply_error(req, 500, "cannot store the image");
	}
	close(fd);
	return 0;
}

int firmware_install_or_reply(struct request *req, const struct firmware_upload *up, const char *file_name)
{
	const char *target = arena_printf(req->arena, "%s/%s", dir_path(), file_name);
	/* nginx (another user) reads it; the upload was created 0600 by mkstemp. */
	if (chmod(up->temp_path, 0644) != 0 || rename(up->temp_path, target) != 0) {
		log_error("cannot install %s: %s", target, strerror(errno));
		return reply_error(req, 500, "cannot store the image");
	}
	return fsync_dir_or_reply(req);
}

int firmware_check_file_or_reply(struct request *req, const char *file_name, struct firmware_upload *file)
{
	struct temp_file *t = arena_alloc(req->arena, sizeof *t);
	t->path = arena_printf(req->arena, "%s/%s", dir_path(), file_name);
	t->fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (t->fd < 0 || fstat(t->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (t->fd >= 0)
			close(t->fd);
		return reply_error(req, 400, "file: %s is not in the firmware cache", file_name);
	}
	arena_on_reset(req->arena, fd_close, t);
	if (st.st_size == 0 || st.st_size > cfg_int("firmware.max_bytes"))
		return reply_error(req, 400, "file: must hold 1 to %ld bytes", cfg_int("firmware.max_bytes"));

	struct sha256_stream *sha = sha256_begin(req->arena);
	char *buf = arena_alloc(req->arena, CHUNK);
	for (uint64_t at = 0; at < (uint64_t)st.st_size;) {
		size_t n = (uint64_t)st.st_size - at < CHUNK ? (size_t)((uint64_t)st.st_size - at) : CHUNK;
		if (read_fd(t, at, buf, n) != 0)
			return reply_error(req, 400, "file: cannot be read");
		sha256_update(sha, buf, n);
		at += n;
	}
	const char *problem = esp_image_check(req->arena, (uint64_t)st.st_size, read_fd, t);
	if (problem)
		return reply_error(req, 400, "%s", problem);
	unsigned char digest[32];
	sha256_final(sha, digest);
	file->temp_path = NULL;
	file->size = st.st_size;
	file->sha256 = hex_encode(req->arena, digest, sizeof digest);
	return 0;
}

int firmware_remove_or_reply(struct request *req, const char *file_name)
{
	const char *target = arena_printf(req->arena, "%s/%s", dir_path(), file_name);
	if (unlink(target) != 0 && errno != ENOENT) {
		log_error("cannot remove %s: %s", target, strerror(errno));
		return reply_error(req, 500, "cannot remove the image");
	}
	return fsync_dir_or_reply(req);
}
