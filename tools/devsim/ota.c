/*
 * ota.c — a simulated device's OTA update (SPEC §4 ota, docs/devsim.md "OTA updates").
 *
 * On {"action":"ota_update","url",…,"version",…,"firmware_id",…,"sha256",…} the device
 * forks one process that downloads the url with the device's token (X-Device-Token), over
 * a plain HTTP/1.1 GET on a socket (devsim needs nothing but libc for it), hashes the body
 * as it arrives (never holding the image), and compares the SHA-256. The event loop never
 * waits on it: ota_reap() collects the process when it ends. Success: the device
 * "reboots" — a clean disconnect, --ota-reboot-ms away — and handshakes with the new
 * version; the station closes the update on that handshake, no report needed. Failure
 * (a bad download or checksum, or the --ota-fail-rate draw): the process POSTs
 * /api/ota/report {deviceId,firmwareId,success:false,error} and the device keeps its version.
 *
 * Only http:// URLs; the process ends by _exit() and touches no MQTT state.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "crypto.h"
#include "devsim.h"
#include "device.h"
#include "link.h"
#include "simlog.h"

#define HTTP_HEAD_MAX 8192
#define IO_TIMEOUT_S 30

struct url {
	char host[256];
	char port[8];
	const char *path;
};

static int url_parse(const char *text, struct url *u)
{
	const char *p = text;
	if (strncmp(p, "http://", 7) != 0)
		return -1;
	p += 7;
	size_t n = strcspn(p, "/");
	const char *colon = memchr(p, ':', n);
	size_t host_len = colon ? (size_t)(colon - p) : n;
	if (host_len == 0 || host_len >= sizeof u->host)
		return -1;
	memcpy(u->host, p, host_len);
	u->host[host_len] = '\0';
	size_t port_len = colon ? n - host_len - 1 : 0;
	if (colon && (port_len == 0 || port_len >= sizeof u->port))
		return -1;
	snprintf(u->port, sizeof u->port, "%.*s", colon ? (int)port_len : 2, colon ? colon + 1 : "80");
	u->path = p[n] ? p + n : "/";
	return 0;
}

static int dial(const struct url *u)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	if (getaddrinfo(u->host, u->port, &hints, &res) != 0)
		return -1;
	int fd = -1;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	return fd;
}

static int send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends the request and reads the answer's head (into head, HTTP_HEAD_MAX bytes): its
 * status, and in *body and *body_len the body bytes that came with the head. -1 when
 * nothing sensible came back. */
static int exchange(int fd, const char *request, char *head, char **body, size_t *body_len)
{
	if (send_all(fd, request, strlen(request)) != 0)
		return -1;
	size_t got = 0;
	char *end = NULL;
	while (!end && got < HTTP_HEAD_MAX - 1) {
		ssize_t n = recv(fd, head + got, HTTP_HEAD_MAX - 1 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
		head[got] = '\0';
		end = strstr(head, "\r\n\r\n");
	}
	int status = 0;
	if (!end || sscanf(head, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	*body = end + 4;
	*body_len = got - (size_t)(*body - head);
	return status;
}

/* The download: NULL when its SHA-256 is `expected`, else why not. */
static const char *download(const struct device *dev, const char *url_text, const char *expected)
{
	struct url u;
	if (url_parse(url_text, &u) != 0)
		return "url: not an http:// url";
	int fd = dial(&u);
	if (fd < 0)
		return "download: cannot connect";
	char request[2048], head[HTTP_HEAD_MAX], *body;
	snprintf(request, sizeof request,
		 "GET %s HTTP/1.1\r\nHost: %s:%s\r\nX-Device-Token: %s\r\nConnection: close\r\n\r\n", u.path,
		 u.host, u.port, dev->token ? dev->token : "");
	size_t len = 0;
	int status = exchange(fd, request, head, &body, &len);
	if (status != 200) {
		close(fd);
		return status < 0 ? "download: no answer" : "download: refused by the station";
	}
	struct arena *a = arena_new();
	struct sha256_stream *sha = sha256_begin(a);
	sha256_update(sha, body, len);
	char buf[65536];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return "download: interrupted";
		}
		if (n == 0)
			break;
		sha256_update(sha, buf, (size_t)n);
	}
	close(fd);
	unsigned char digest[32];
	sha256_final(sha, digest);
	const char *problem = strcasecmp(hex_encode(a, digest, sizeof digest), expected) == 0 ? NULL
											       : "sha256: does not match";
	arena_destroy(a);
	return problem;
}

/* POST /api/ota/report {success:false} to the station the url named. */
static void report_failure(const struct device *dev, const struct command *cmd, const char *error)
{
	struct url u;
	if (url_parse(cmd->url, &u) != 0)
		return;
	u.path = "/api/ota/report";
	int fd = dial(&u);
	if (fd < 0)
		return;
	char json[512], request[2048], head[HTTP_HEAD_MAX], *body;
	int n = snprintf(json, sizeof json, "{\"deviceId\":\"%s\",\"firmwareId\":\"%s\",\"success\":false,\"error\":\"%s\"}",
			 dev->ext_id, cmd->firmware_id, error);
	snprintf(request, sizeof request,
		 "POST %s HTTP/1.1\r\nHost: %s:%s\r\nX-Device-Token: %s\r\nContent-Type: application/json\r\n"
		 "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
		 u.path, u.host, u.port, dev->token ? dev->token : "", n, json);
	size_t len;
	exchange(fd, request, head, &body, &len);
	close(fd);
}

void ota_start(struct device *dev, const struct command *cmd)
{
	if (dev->ota_pid > 0) {
		simlog(SIMLOG_WARN, "ota_update ignored: an update is in progress", "deviceId", dev->ext_id, NULL);
		return;
	}
	if (!cmd->url[0] || !cmd->version[0] || !cmd->sha256[0] || !cmd->firmware_id[0]) {
		simlog(SIMLOG_WARN, "ota_update ignored: url, version, firmware_id and sha256 are required",
		       "deviceId", dev->ext_id, NULL);
		return;
	}
	bool fail = device_random(dev) < dev->sim->opt->ota_fail_rate;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		simlog(SIMLOG_ERROR, "ota_update: cannot fork", "deviceId", dev->ext_id, "reason", strerror(errno), NULL);
		return;
	}
	if (pid == 0) {
		const char *problem = download(dev, cmd->url, cmd->sha256);
		if (!problem && fail)
			problem = "simulated failure (--ota-fail-rate)";
		if (problem)
			report_failure(dev, cmd, problem);
		_exit(problem ? 1 : 0);
	}
	dev->ota_pid = (int)pid;
	snprintf(dev->ota_version, sizeof dev->ota_version, "%s", cmd->version);
	simlog(SIMLOG_INFO, "ota update downloading", "deviceId", dev->ext_id, "version", cmd->version, NULL);
}

void ota_reap(struct sim *sim)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < sim->count; i++) {
			struct device *dev = &sim->devices[i];
			if (dev->ota_pid != (int)pid)
				continue;
			dev->ota_pid = 0;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				simlog(SIMLOG_WARN, "ota update failed (reported)", "deviceId", dev->ext_id, "version",
				       dev->ota_version, NULL);
				break;
			}
			snprintf(dev->firmware_version, sizeof dev->firmware_version, "%s", dev->ota_version);
			simlog(SIMLOG_INFO, "ota update installed; rebooting", "deviceId", dev->ext_id, "version",
			       dev->firmware_version, NULL);
			dev->reboot_pending = true;
			dev->reboot_delay_ms = sim->opt->ota_reboot_ms > 0 ? sim->opt->ota_reboot_ms : 1;
			link_disconnect(dev);
			break;
		}
	}
}
