/*
 * stop_signal.h — how every long-running program hears that it should stop: SIGTERM
 * (systemd, scripts/dev) and SIGINT (a terminal) both go to one handler, installed
 * without SA_RESTART so that a blocking call (accept, poll) returns EINTR and the
 * program's loop sees its stop flag at once.
 */
#ifndef STATION_STOP_SIGNAL_H
#define STATION_STOP_SIGNAL_H

void stop_signal_handle(void (*handler)(int));

#endif
