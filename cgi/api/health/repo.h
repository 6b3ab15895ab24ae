/*
 * repo.h — api-health's SQL.
 */
#ifndef STATION_HEALTH_REPO_H
#define STATION_HEALTH_REPO_H

#include <stdbool.h>

#include "runtime.h"

/* True when the database answers; otherwise the 503 has been replied. */
bool health_repo_ping(struct request *req);

#endif
