/*
 * repo.c — the runtime's own SQL: resolving a device token to its device.
 */
#include "internal.h"

STATEMENT(runtime_device_by_token, "SELECT id, external_id FROM devices WHERE token_hash = $1");
