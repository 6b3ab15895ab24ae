/*
 * service.h — rules of the settings module (api-settings) that a schema cannot say: a
 * time zone of the system's zoneinfo database, a well-formed BCP 47 language tag.
 */
#ifndef STATION_API_SETTINGS_SERVICE_H
#define STATION_API_SETTINGS_SERVICE_H

#include <stdbool.h>

#include "runtime.h"

/* Where the time zones are: Debian's tzdata. */
#define SETTINGS_ZONEINFO_DIR "/usr/share/zoneinfo"

/* Body check (schema.h): a canonical zone name ("Europe/Paris", "UTC") naming a TZif
 * file under SETTINGS_ZONEINFO_DIR. */
const char *settings_timezone_check(const struct field_check_input *in, int *status);
/* Body check: a well-formed BCP 47 language tag ("en", "de-CH", "zh-Hant-TW"). */
const char *settings_locale_check(const struct field_check_input *in, int *status);

/* RFC 5646 syntax, any case: language[-extlang][-script][-region]*[-variant]*[-extension]
 * [-x-private], or a private-use tag alone ("x-whatever"). Irregular grandfathered tags
 * ("i-klingon") are not accepted. */
bool locale_tag_is_well_formed(const char *tag);

#endif
