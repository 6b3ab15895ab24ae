/*
 * repo.c — the runtime's own SQL: resolving a device token to its device, and whether an
 * access token's session and member still stand (the rule is the database's
 * station_access_role(), shared with wsd).
 */
#include "internal.h"

STATEMENT(runtime_device_by_token, "SELECT id, external_id FROM devices WHERE token_hash = $1");

STATEMENT(runtime_access_role,
	  "SELECT r.role FROM station_access_role($1::uuid, $2::uuid, $3::integer) AS r(role) WHERE r.role IS NOT NULL");
