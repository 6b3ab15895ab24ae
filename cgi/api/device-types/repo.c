/*
 * repo.c — SQL of the device type registry (api-device-types).
 *
 * The only file of this module that holds SQL; every statement is parameterized.
 * Built-in rows (built_in = true) are written by sql/registry/device_types.sql and are
 * never changed here: the upsert's DO UPDATE skips them, which the caller reads as 409.
 */
#include "repo.h"

#define DEVICE_TYPE_SELECT \
	"t.id, t.name, t.category, t.capabilities, t.commands, t.events, t.periodic, t.built_in, " \
	"t.created_at, t.updated_at"

const struct db_column device_type_columns[] = {
	{ "id", DBK_STRING },
	{ "name", DBK_STRING },
	{ "category", DBK_STRING },
	{ "capabilities", DBK_JSON },
	{ "commands", DBK_JSON },
	{ "events", DBK_JSON },
	{ "periodic", DBK_BOOL },
	{ "builtIn", DBK_BOOL },
	{ "createdAt", DBK_TIME },
	{ "updatedAt", DBK_TIME },
	{ 0 },
};

STATEMENT(device_types_list,
	"SELECT " DEVICE_TYPE_SELECT " FROM device_types t ORDER BY t.id COLLATE \"C\"");

STATEMENT(device_types_by_id,
	"SELECT " DEVICE_TYPE_SELECT " FROM device_types t WHERE t.id = $1");

/* xmax = 0 on the returned row version means the row was inserted, not updated. */
STATEMENT(device_types_upsert,
	"INSERT INTO device_types AS t (id, name, category, capabilities, commands, events, periodic) "
	"VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7::boolean) "
	"ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category, "
	"capabilities = EXCLUDED.capabilities, commands = EXCLUDED.commands, events = EXCLUDED.events, "
	"periodic = EXCLUDED.periodic, updated_at = now() "
	"WHERE NOT t.built_in "
	"RETURNING " DEVICE_TYPE_SELECT ", (t.xmax = 0) AS inserted");
