/*
 * scoreboard.h — what the supervisor (station-supervise) and the request processes it
 * execs share: one slot per process saying whether it is free to take a connection, in
 * a memfd the supervisor creates and each process maps (its number in the environment).
 */
#ifndef STATION_CGI_SCOREBOARD_H
#define STATION_CGI_SCOREBOARD_H

#include <stdatomic.h>

#include "config.h"

#define SCOREBOARD_SLOTS CFG_HTTP_WORKERS_MAX

/* The environment of a request process: the scoreboard's fd, its slot, and "1" when the
 * slot is warm (the process never leaves for idleness). Absent: the program is starting
 * as the module's supervisor. */
#define SCOREBOARD_FD_ENV "STATION_REQUEST_SCOREBOARD_FD"
#define SCOREBOARD_SLOT_ENV "STATION_REQUEST_SLOT"
#define SCOREBOARD_WARM_ENV "STATION_REQUEST_WARM"

enum worker_slot_state { SLOT_FREE, SLOT_IDLE, SLOT_BUSY };

struct scoreboard {
	_Atomic int state[SCOREBOARD_SLOTS];
};

#endif
