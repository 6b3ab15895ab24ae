/*
 * stop_signal.h — how every long-running program hears that it should stop: SIGTERM
 * (systemd, scripts/dev) and SIGINT (a terminal) both go to one handler, installed
 * without SA_RESTART so that a blocking call (accept, poll) returns EINTR and the
 * program's loop sees its stop flag at once.
 */
#ifndef STATION_STOP_SIGNAL_H
#define STATION_STOP_SIGNAL_H

#include <signal.h>

void stop_signal_handle(void (*handler)(int));

/*
 * For a daemon whose loop waits in ppoll(): stop_signal_handle(handler), SIGPIPE ignored,
 * and SIGTERM and SIGINT blocked from now on; *unblocked is the mask to hand ppoll(), the
 * only place they are delivered, so a stop can neither be missed nor interrupt a
 * transaction.
 */
void stop_signal_block(void (*handler)(int), sigset_t *unblocked);

#endif
