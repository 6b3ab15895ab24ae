/*
 * repo.h — SQL of the kits module (api-kits): kits, kit presets, and the devices and
 * device types they name (015_automations.sql; kit_apply() of 016_automations_rest.sql).
 *
 * Statements are declared here with their parameters and run with db_run(). Nothing
 * here replies or decides rules.
 */
#ifndef STATION_API_KITS_REPO_H
#define STATION_API_KITS_REPO_H

#include "statement.h"

/* The Kit JSON: {id,presetId,name,devices,kitTag,createdAt}; devices is {roleKey: deviceId}. */
extern const struct db_column kit_columns[];
/* The Preset JSON (SPEC §4): {id,name,roles,automationTemplates,autoApply,builtIn,createdAt,updatedAt}. */
extern const struct db_column preset_columns[];
enum { PRESET_COL_ID, PRESET_COL_NAME, PRESET_COL_ROLES, PRESET_COL_TEMPLATES, PRESET_COL_AUTO_APPLY,
       PRESET_COL_BUILT_IN };

/* Every kit, newest first. */
STATEMENT_DECLARE(kits_list, 0);
STATEMENT_DECLARE(kits_by_id, 1);
/* $1 preset id, $2 devices ({roleKey: deviceId} text) → one row: the new kit's id, or
 * NULL when the preset has a kit of these devices already (kit_apply() of 016). */
STATEMENT_DECLARE(kits_apply, 2);
/* $1 id → the deleted kit's id (its automations go with it); an auto-apply preset's kit
 * is remembered in kit_dismissals so that handshakes do not make it again. */
STATEMENT_DECLARE(kits_delete, 1);
/* $1 device ids (uuid[] text) → each existing one's id and type. */
STATEMENT_DECLARE(kits_devices, 1);
enum { KIT_DEVICE_COL_ID, KIT_DEVICE_COL_TYPE };

/* Every preset, by id. */
STATEMENT_DECLARE(presets_list, 0);
/* $1 id → the preset, locked for the rest of the transaction. */
STATEMENT_DECLARE(presets_lock, 1);
/* $1 id, $2 name, $3 roles, $4 templates (jsonb text), $5 autoApply → the new preset
 * (409 for a taken id). */
STATEMENT_DECLARE(presets_insert, 5);
/* $1 id, $2 name, $3 roles, $4 templates, $5 autoApply → the preset (not a built-in one). */
STATEMENT_DECLARE(presets_update, 5);
/* $1 id → the deleted preset's id; no row for a built-in preset or one a kit uses. */
STATEMENT_DECLARE(presets_delete, 1);
/* $1 roles (jsonb text, [{key,type}]) → for each role whose type exists: "$<key>", the
 * type and its registry arrays (FLOW_TARGET_COL_*, api/shared/flow_devices.h). */
STATEMENT_DECLARE(presets_role_types, 1);

#endif
