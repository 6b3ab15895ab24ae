/*
 * config.h — the station's configuration: `key = value` lines, every key overridable by
 * an environment variable STATION_<KEY> (dots and dashes become underscores, upper case:
 * db.conninfo → STATION_DB_CONNINFO).
 *
 * Every key, its default, its kind (text, number with a range, boolean) and its meaning
 * are declared once, in config.c; asking for a key that is not declared there, or as
 * another kind, is a programming error and aborts. The file is
 * $STATION_CONFIG, or SYSCONFDIR/smart-station/station.conf.
 */
#ifndef STATION_CONFIG_H
#define STATION_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The top of http.workers' range: the supervisor's table of processes has this size. */
#define CFG_HTTP_WORKERS_MAX 64

/* The shortest secret a program accepts from a file: the JWT secret, the agent token,
 * the daemons' MQTT password and the settings key (station-migrate writes 43 characters). */
#define CFG_SECRET_MIN_LENGTH 32

/* Loads the file and the environment and checks every number and boolean against the
 * table; returns 0, or -1 after logging exactly what is wrong (every program then stops
 * with status 2). */
int cfg_load(void);

/* The file step of cfg_load(): `key = value` lines read from f (called `name` in the
 * messages) over the values set so far; 0, or -1 after logging every bad line. Values are
 * checked by cfg_load(), not here. (Also the seam of tools/fuzz/fuzz_config.c.) */
int cfg_parse_stream(FILE *f, const char *name);

const char *cfg_string(const char *key);
/* The value of a number key, already checked against its declared range. */
long cfg_int(const char *key);
/* The value of a true/false key (true|yes|1, false|no|0|empty). */
bool cfg_bool(const char *key);

/* Reads a secret file (first line, trimmed) into a static buffer; NULL after logging why:
 * missing, readable by group or others (a secret must be mode 0600: the message says
 * "chmod 600 <file>"), or shorter than min_length characters. */
const char *cfg_read_secret(const char *path_key, size_t min_length);

/* Prints every key with its default and documentation (station-migrate --print-config). */
void cfg_print_reference(void);

#endif
