/*
 * stop_signal.c — SIGTERM and SIGINT to one handler (see stop_signal.h).
 */
#include "stop_signal.h"

#include <signal.h>
#include <stddef.h>

void stop_signal_handle(void (*handler)(int))
{
	struct sigaction sa = { .sa_handler = handler };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}
