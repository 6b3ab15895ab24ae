/*
 * stop_signal.h — how every long-running program starts and hears that it should stop: SIGTERM
 * (systemd, scripts/dev) and SIGINT (a terminal) both go to one handler, installed
 * without SA_RESTART so that a blocking call (accept, poll) returns EINTR and the
 * program's loop sees its stop flag at once.
 */
#ifndef STATION_STOP_SIGNAL_H
#define STATION_STOP_SIGNAL_H

#include <signal.h>
#include <stdio.h>

void stop_signal_handle(void (*handler)(int));

/*
 * For a daemon whose loop waits in ppoll(): stop_signal_handle(handler), SIGPIPE ignored,
 * and SIGTERM and SIGINT blocked from now on; *unblocked is the mask to hand ppoll(), the
 * only place they are delivered, so a stop can neither be missed nor interrupt a
 * transaction.
 */
void stop_signal_block(void (*handler)(int), sigset_t *unblocked);

/*
 * One wait of such a loop: ppoll() on fds for at most timeout_ms (< 0: no limit) with the
 * stops delivered. The number of ready descriptors, 0 also when a signal came (the loop
 * looks at its stop flag), or -1 after logging why polling failed.
 */
struct pollfd;
int stop_signal_poll(struct pollfd *fds, unsigned long n, long timeout_ms, const sigset_t *unblocked);

/*
 * The start of a daemon's main(): "-h"/"--help" → usage(stdout, 0), any other argument →
 * usage(stderr, 2); then the logger as `name` and the configuration, 2 when it is invalid.
 * -1 when the daemon goes on, else the status for main() to return.
 */
int daemon_begin(int argc, char **argv, const char *name, int (*usage)(FILE *out, int status));

#endif
