/*
 * service.h — rules of the kits module (api-kits) that a route table cannot hold: which
 * devices may fill a preset's roles, what a preset's templates may say, and which presets
 * may change.
 */
#ifndef STATION_API_KITS_SERVICE_H
#define STATION_API_KITS_SERVICE_H

#include "runtime.h"

#define PRESET_MAX_ROLES 16
#define PRESET_MAX_TEMPLATES 16

/* Body checks (schema.h): a preset id ("^[a-z0-9][a-z0-9_-]{0,63}$", as device type ids)
 * and a role key (letters, digits, '_' and '-': it is written "$<key>" in templates). */
const char *preset_id_check(const struct field_check_input *in, int *status);
const char *role_key_check(const struct field_check_input *in, int *status);

/* POST/PUT presets: 0 when every role's type exists and every template is a graph that
 * would publish once its "$<roleKey>" placeholders are devices of the roles' types;
 * else 400 listing every problem ("automationTemplates[0].nodes[1].data.config.command:
 * not a command of light"). */
int preset_valid_or_reply(struct request *req);

/* PUT/DELETE presets: 0, or 409 for a built-in preset (preset: a row of presets_lock). */
int preset_editable_or_reply(struct request *req, const PGresult *preset);

/* POST /api/kits: 0 with *devices the kit's {roleKey: deviceId} (jsonb text, ids as the
 * database writes them) when the body's devices fill every role of preset (a row of
 * presets_lock) with distinct devices of the roles' types; else 400 listing every
 * problem ("devices.target: must be a device of type light, … is a pir"). */
int kit_devices_or_reply(struct request *req, const PGresult *preset, const char **devices);

#endif
