/*
 * stop_signal.c — SIGTERM and SIGINT to one handler (see stop_signal.h).
 */
#include "stop_signal.h"

#include <stddef.h>

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
