/*
 * fleet.c — which devices a run simulates: either <prefix>-<type>-<n> from --count and
 * --type, or one device per line of a --credentials file:
 *
 *     # externalId   type        token            [kitTag]
 *     hall-pir-01    pir         4f0c…            k-sp-lt-a1b2c3
 *     desk-light     light       -
 *
 * A token of "-" (or none) means no MQTT password; a kit tag overrides --kit-tag.
 *
 * Every id ends up inside MQTT topics, so ids are checked here once: printable ASCII,
 * no spaces, no '/', '+' or '#', at most DEVSIM_ID_MAX bytes. Errors name the file and
 * line. Tokens are kept in memory only as long as the run and never logged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devsim.h"
#include "device.h"
#include "simlog.h"

#define LINE_MAX_BYTES 4096
#define ID_RULE "must be 1-128 printable characters without spaces, '/', '+', '#'"

static bool valid_id(const char *s, size_t len)
{
	if (len == 0 || len > DEVSIM_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7F || c == '/' || c == '+' || c == '#')
			return false;
	}
	return true;
}

static char *dup_n(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* Fill devices[count]; the caller has checked ext_id (id_len bytes) with valid_id(). */
static int add_device(struct sim *sim, const char *ext_id, size_t id_len, enum device_type type,
		      const char *token, size_t token_len, const char *kit_tag, size_t kit_len)
{
	struct device *dev = &sim->devices[sim->count];
	memset(dev, 0, sizeof *dev);
	dev->sim = sim;
	dev->index = sim->count;
	dev->type = type;
	if (id_len >= sizeof dev->ext_id)
		return -1;
	memcpy(dev->ext_id, ext_id, id_len);
	dev->ext_id[id_len] = '\0';
	int n = snprintf(dev->topic_base, sizeof dev->topic_base, "station/%s/device/%s/",
			 sim->opt->station_id, dev->ext_id);
	if (n < 0 || (size_t)n >= sizeof dev->topic_base)
		return -1;
	if (token && !(dev->token = dup_n(token, token_len)))
		return -1;
	if (kit_tag && !(dev->kit_tag = dup_n(kit_tag, kit_len))) {
		free(dev->token);
		dev->token = NULL;
		return -1;
	}
	device_init(dev, sim->opt->seed);
	sim->count++;
	return 0;
}

static int fleet_from_counts(struct sim *sim)
{
	const struct options *opt = sim->opt;
	int per_type[DEVICE_TYPE_COUNT];
	bool any_listed = false;
	for (int t = 0; t < DEVICE_TYPE_COUNT; t++)
		if (opt->type_listed[t] || opt->type_extra[t])
			any_listed = true;
	size_t total = 0;
	for (int t = 0; t < DEVICE_TYPE_COUNT; t++) {
		per_type[t] = opt->type_extra[t] +
			(!any_listed || opt->type_listed[t] ? opt->count : 0);
		total += (size_t)per_type[t];
	}
	if (total == 0 || total > DEVSIM_MAX_DEVICES) {
		simlog(SIMLOG_ERROR, "--count/--type: must give from 1 to 100000 devices", NULL);
		return -1;
	}
	sim->devices = calloc(total, sizeof *sim->devices);
	if (!sim->devices) {
		simlog(SIMLOG_ERROR, "out of memory", NULL);
		return -1;
	}
	for (int t = 0; t < DEVICE_TYPE_COUNT; t++) {
		for (int i = 1; i <= per_type[t]; i++) {
			char id[DEVSIM_ID_MAX + 32];
			int n = snprintf(id, sizeof id, "%s-%s-%d", opt->prefix,
					 device_type_name((enum device_type)t), i);
			if (n < 0 || !valid_id(id, (size_t)n)) {
				simlog(SIMLOG_ERROR, "--prefix: device ids would be too long", NULL);
				return -1;
			}
			if (add_device(sim, id, (size_t)n, (enum device_type)t, NULL, 0, NULL, 0) != 0) {
				simlog(SIMLOG_ERROR, "out of memory", NULL);
				return -1;
			}
		}
	}
	return 0;
}

/* Split the next whitespace-separated field off *p; its length in *len, NULL at end. */
static const char *next_field(const char **p, size_t *len)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#') {
		*p = s;
		return NULL;
	}
	const char *e = s;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	*len = (size_t)(e - s);
	*p = e;
	return s;
}

static void line_error(const char *path, unsigned long line, const char *what)
{
	char where[32];
	snprintf(where, sizeof where, "%lu", line);
	simlog(SIMLOG_ERROR, what, "file", path, "line", where, NULL);
}

static int parse_credentials_line(struct sim *sim, const char *path, unsigned long lineno,
				  const char *line)
{
	const char *p = line;
	size_t len[5] = { 0 };
	const char *f[5];
	int nf = 0;
	while (nf < 5 && (f[nf] = next_field(&p, &len[nf])) != NULL)
		nf++;
	if (nf == 0)
		return 0; /* blank or comment */
	if (nf < 2 || nf > 4) {
		line_error(path, lineno, "credentials: expected externalId type [token] [kitTag]");
		return -1;
	}
	if (!valid_id(f[0], len[0])) {
		line_error(path, lineno, "credentials: externalId: " ID_RULE);
		return -1;
	}
	enum device_type type;
	if (device_type_parse(f[1], len[1], &type) != 0) {
		line_error(path, lineno, "credentials: type: must be climate, pir, switch-pir or light");
		return -1;
	}
	const char *token = NULL;
	size_t token_len = 0;
	if (nf >= 3 && !(len[2] == 1 && f[2][0] == '-')) {
		if (len[2] > DEVSIM_TOKEN_MAX) {
			line_error(path, lineno, "credentials: token: too long");
			return -1;
		}
		token = f[2];
		token_len = len[2];
	}
	const char *kit = nf == 4 ? f[3] : NULL;
	if (kit && !valid_id(kit, len[3])) {
		line_error(path, lineno, "credentials: kitTag: " ID_RULE);
		return -1;
	}
	if (add_device(sim, f[0], len[0], type, token, token_len, kit, kit ? len[3] : 0) != 0) {
		simlog(SIMLOG_ERROR, "out of memory", NULL);
		return -1;
	}
	return 0;
}

static int compare_ids(const void *a, const void *b)
{
	const struct device *const *x = a, *const *y = b;
	return strcmp((*x)->ext_id, (*y)->ext_id);
}

/* Two devices with one id would keep kicking each other off the broker. */
static int check_unique(struct sim *sim)
{
	const struct device **order = malloc(sim->count * sizeof *order);
	if (!order) {
		simlog(SIMLOG_ERROR, "out of memory", NULL);
		return -1;
	}
	for (size_t i = 0; i < sim->count; i++)
		order[i] = &sim->devices[i];
	qsort(order, sim->count, sizeof *order, compare_ids);
	int rc = 0;
	for (size_t i = 1; i < sim->count && rc == 0; i++) {
		if (strcmp(order[i - 1]->ext_id, order[i]->ext_id) == 0) {
			simlog(SIMLOG_ERROR, "credentials: duplicate externalId", "externalId",
			       order[i]->ext_id, NULL);
			rc = -1;
		}
	}
	free(order);
	return rc;
}

static int fleet_from_file(struct sim *sim, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		simlog(SIMLOG_ERROR, "credentials: cannot open file", "file", path, "reason",
		       strerror(errno), NULL);
		return -1;
	}
	size_t cap = 0;
	char *line = NULL;
	size_t line_cap = 0;
	unsigned long lineno = 0;
	int rc = 0;
	ssize_t n;
	while (rc == 0 && (n = getline(&line, &line_cap, f)) >= 0) {
		lineno++;
		if (n > LINE_MAX_BYTES) {
			line_error(path, lineno, "credentials: line too long");
			rc = -1;
			break;
		}
		if ((size_t)n != strlen(line)) {
			line_error(path, lineno, "credentials: line contains a NUL byte");
			rc = -1;
			break;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (sim->count == cap) {
			if (cap >= DEVSIM_MAX_DEVICES) {
				line_error(path, lineno, "credentials: more than 100000 devices");
				rc = -1;
				break;
			}
			size_t new_cap = cap ? cap * 2 : 64;
			struct device *d = realloc(sim->devices, new_cap * sizeof *d);
			if (!d) {
				simlog(SIMLOG_ERROR, "out of memory", NULL);
				rc = -1;
				break;
			}
			sim->devices = d;
			cap = new_cap;
		}
		rc = parse_credentials_line(sim, path, lineno, line);
	}
	if (rc == 0 && ferror(f)) {
		simlog(SIMLOG_ERROR, "credentials: cannot read file", "file", path, "reason",
		       strerror(errno), NULL);
		rc = -1;
	}
	free(line);
	fclose(f);
	if (rc == 0 && sim->count == 0) {
		simlog(SIMLOG_ERROR, "credentials: no devices in file", "file", path, NULL);
		rc = -1;
	}
	if (rc == 0)
		rc = check_unique(sim);
	/* Devices point at the sim, never at each other, so the array may have moved. */
	return rc;
}

int fleet_build(struct sim *sim)
{
	if (sim->opt->credentials_path)
		return fleet_from_file(sim, sim->opt->credentials_path);
	return fleet_from_counts(sim);
}

void fleet_free(struct sim *sim)
{
	for (size_t i = 0; i < sim->count; i++) {
		struct device *dev = &sim->devices[i];
		if (dev->token) {
			/* Not a secret store, but no reason to leave the token lying around. */
			memset(dev->token, 0, strlen(dev->token));
			free(dev->token);
		}
		free(dev->kit_tag);
	}
	free(sim->devices);
	sim->devices = NULL;
	sim->count = 0;
}
