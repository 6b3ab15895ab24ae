/*
 * repo.c — api-health's SQL: one round trip that proves the database answers.
 */
#include "repo.h"

STATEMENT(health_ping, "SELECT 1");
