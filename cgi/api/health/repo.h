/*
 * repo.h — api-health's SQL: one round trip that proves the database answers.
 */
#ifndef STATION_HEALTH_REPO_H
#define STATION_HEALTH_REPO_H

#include "statement.h"

STATEMENT_DECLARE(health_ping, 0);

#endif
