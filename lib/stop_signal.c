/*
 * stop_signal.c — SIGTERM and SIGINT to one handler, a daemon's wait and its start (see
 * stop_signal.h).
 */
#define _GNU_SOURCE /* ppoll */
#include "stop_signal.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"

void stop_signal_handle(void (*handler)(int))
{
	struct sigaction sa = { .sa_handler = handler };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

void stop_signal_block(void (*handler)(int), sigset_t *unblocked)
{
	stop_signal_handle(handler);
	signal(SIGPIPE, SIG_IGN);
	sigset_t stops;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigprocmask(SIG_BLOCK, &stops, unblocked); /* unblocked: the mask before */
	sigdelset(unblocked, SIGTERM);
	sigdelset(unblocked, SIGINT);
}

int stop_signal_poll(struct pollfd *fds, unsigned long n, long timeout_ms, const sigset_t *unblocked)
{
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	int ready = ppoll(fds, (nfds_t)n, timeout_ms >= 0 ? &ts : NULL, unblocked);
	if (ready >= 0 || errno == EINTR)
		return ready < 0 ? 0 : ready;
	log_error("poll failed: %s", strerror(errno));
	return -1;
}

int daemon_begin(int argc, char **argv, const char *name, int (*usage)(FILE *out, int status))
{
	if (argc > 1)
		return strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ? usage(stdout, 0) : usage(stderr, 2);
	log_init(name);
	if (cfg_load() != 0) {
		log_error("configuration invalid; not starting");
		return 2;
	}
	return -1;
}
