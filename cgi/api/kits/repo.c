/*
 * repo.c — SQL of the kits module (api-kits).
 *
 * The only file of this module that holds SQL; every statement is parameterized and
 * fixed. KIT_SELECT and kit_columns are one pair, as are PRESET_SELECT and
 * preset_columns: change them together. A kit is made only by kit_apply() (016), the
 * one place that turns a preset and devices into a kit and its automations, for this
 * module and for auto-apply alike.
 */
#include "repo.h"

#define KIT_SELECT "k.id, k.preset_id, k.name, k.devices, k.kit_tag, k.created_at"

const struct db_column kit_columns[] = {
	{ "id", DBK_STRING },
	{ "presetId", DBK_STRING },
	{ "name", DBK_STRING },
	{ "devices", DBK_JSON },
	{ "kitTag", DBK_STRING },
	{ "createdAt", DBK_TIME },
	{ 0 },
};

#define PRESET_SELECT \
	"p.id, p.name, p.roles, p.automation_templates, p.auto_apply, p.built_in, p.created_at, p.updated_at"

const struct db_column preset_columns[] = {
	{ "id", DBK_STRING },
	{ "name", DBK_STRING },
	{ "roles", DBK_JSON },
	{ "automationTemplates", DBK_JSON },
	{ "autoApply", DBK_BOOL },
	{ "builtIn", DBK_BOOL },
	{ "createdAt", DBK_TIME },
	{ "updatedAt", DBK_TIME },
	{ 0 },
};

STATEMENT(kits_list, "SELECT " KIT_SELECT " FROM device_kits k ORDER BY k.created_at DESC, k.id DESC");

STATEMENT(kits_by_id, "SELECT " KIT_SELECT " FROM device_kits k WHERE k.id = $1::uuid");

STATEMENT(kits_apply, "SELECT kit_apply($1::text, $2::jsonb, NULL)");

STATEMENT(kits_delete,
	"WITH k AS (DELETE FROM device_kits k WHERE k.id = $1::uuid RETURNING k.id, k.preset_id, k.devices_hash), "
	"     d AS (INSERT INTO kit_dismissals (preset_id, devices_hash) "
	"           SELECT k.preset_id, k.devices_hash FROM k JOIN kit_presets p ON p.id = k.preset_id "
	"           WHERE p.auto_apply ON CONFLICT DO NOTHING) "
	"SELECT k.id FROM k");

STATEMENT(kits_devices, "SELECT d.id, d.type FROM devices d WHERE d.id = ANY ($1::uuid[])");

STATEMENT(presets_list, "SELECT " PRESET_SELECT " FROM kit_presets p ORDER BY p.id");


STATEMENT(presets_lock, "SELECT " PRESET_SELECT " FROM kit_presets p WHERE p.id = $1::text FOR UPDATE");

STATEMENT(presets_insert,
	"INSERT INTO kit_presets AS p (id, name, roles, automation_templates, auto_apply) "
	"VALUES ($1::text, btrim($2::text), $3::jsonb, $4::jsonb, $5::boolean) RETURNING " PRESET_SELECT,
	.conflict = "id: a preset with this id exists");

STATEMENT(presets_update,
	"UPDATE kit_presets AS p SET name = btrim($2::text), roles = $3::jsonb, automation_templates = $4::jsonb, "
	"auto_apply = $5::boolean, updated_at = now() WHERE p.id = $1::text AND NOT p.built_in RETURNING " PRESET_SELECT);

STATEMENT(presets_delete,
	"DELETE FROM kit_presets p WHERE p.id = $1::text AND NOT p.built_in "
	"AND NOT EXISTS (SELECT 1 FROM device_kits k WHERE k.preset_id = p.id) RETURNING p.id");

STATEMENT(presets_role_types,
	"SELECT '$' || (r.role ->> 'key'), t.id, t.capabilities, t.commands, t.events "
	"FROM jsonb_array_elements($1::jsonb) AS r(role) JOIN device_types t ON t.id = r.role ->> 'type'");
