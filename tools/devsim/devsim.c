/*
 * devsim.c — entry point of the device simulator: options, the open-file limit, the
 * run, and the summary line at exit.
 *
 * devsim plays N ESP32 devices ("SmartHomeCore" 0.1.x firmware) against a station's
 * broker, speaking SPEC §5 to the byte: for integration tests (with --print-commands),
 * load tests (--rate) and for trying a station without hardware. See docs/devsim.md.
 * It links libmosquitto, json-c and, for the rules the station has already written once
 * (UTF-8, the timestamp format), libstation.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <mosquitto.h>

#include "devsim.h"
#include "device.h"
#include "simlog.h"

#define FDS_PER_DEVICE 3 /* the broker socket and libmosquitto's wake-up socketpair */
#define FDS_SPARE 32

static const char usage_text[] =
	"usage: devsim --station-id ID [options]\n"
	"\n"
	"Simulates ESP32 devices speaking the station's MQTT device protocol.\n"
	"\n"
	"  --host HOST                 broker host (default 127.0.0.1)\n"
	"  --port PORT                 broker port (default $STATION_MQTT_PORT or 1883)\n"
	"  --station-id ID             station id in the topics (required)\n"
	"  --type T[:N][,T[:N]…]       climate, pir, switch-pir, light; repeatable\n"
	"                              (default: all four)\n"
	"  --count N                   devices per type listed without :N (default 1)\n"
	"  --prefix P                  device ids are P-<type>-<n> (default sim)\n"
	"  --credentials FILE          devices from FILE: externalId type [token|-] [kitTag]\n"
	"  --telemetry-interval-ms MS  state report period per device (default 10000)\n"
	"  --heartbeat-interval-s S    heartbeat period (default 30)\n"
	"  --rate N                    N state messages/s across the fleet (replaces\n"
	"                              the per-device telemetry timers)\n"
	"  --duration S                exit after S seconds (default: until SIGINT/SIGTERM)\n"
	"  --kit-tag TAG               kit_tag in every handshake\n"
	"  --firmware-version V        firmwareVersion in the handshake (default 0.1.32)\n"
	"  --chip C                    chip in the handshake (default ESP32-D0WD-V3)\n"
	"  --qos 0|1                   QoS of what devices publish (default 1)\n"
	"  --keepalive-s S             MQTT keepalive (default 60)\n"
	"  --connect-rate N            new connections per second at start (default 500)\n"
	"  --seed N                    seed of the simulated readings (default 1)\n"
	"  --print-commands            print commands and handshake acks received on stdout\n"
	"  --sequence                  add \"seq\" (1, 2, 3 … per device) to every state and\n"
	"                              event, so a benchmark or a test can count in the\n"
	"                              database what was persisted\n"
	"  --report FILE               with --sequence: write each device's last state and\n"
	"                              event seq to FILE when paused (SIGUSR1) and at exit\n"
	"  --ota-reboot-ms MS          after an ota_update is downloaded and checked, the\n"
	"                              device is away this long, then handshakes with the\n"
	"                              new version (default 1000)\n"
	"  --ota-fail-rate P           each ota_update fails with probability P (0–1): the\n"
	"                              device reports success:false (default 0)\n"
	"  --press-interval-ms MS      switch-pir devices press their button every MS ms\n"
	"                              (at least 400; and never at random), each press logged\n"
	"  --log-level L               debug, info, warn, error (default info)\n"
	"  -h, --help                  this text\n";

static void options_defaults(struct options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->host = "127.0.0.1";
	opt->port = 1883;
	opt->prefix = "sim";
	opt->count = 1;
	opt->telemetry_interval_ms = 10000;
	opt->heartbeat_interval_s = 30;
	opt->firmware_version = "0.1.32";
	opt->chip = "ESP32-D0WD-V3";
	opt->qos = 1;
	opt->keepalive_s = 60;
	opt->connect_rate = 500;
	opt->seed = 1;
	opt->ota_reboot_ms = 1000;
}

/* Errors name the option: "--count: must be an integer from 1 to 100000". */
static int bad(const char *name, const char *rule)
{
	char msg[160];
	snprintf(msg, sizeof msg, "%s: %s", name, rule);
	simlog(SIMLOG_ERROR, msg, "hint", "see devsim --help", NULL);
	return -1;
}

static int parse_long(const char *name, const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		char rule[96];
		snprintf(rule, sizeof rule, "must be an integer from %ld to %ld", lo, hi);
		return bad(name, rule);
	}
	*out = v;
	return 0;
}

static int parse_int(const char *name, const char *s, int lo, int hi, int *out)
{
	long v;
	if (parse_long(name, s, lo, hi, &v) != 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* Printable ASCII, no spaces or MQTT wildcards/separators: it goes into topics. */
static int check_topic_word(const char *name, const char *s)
{
	size_t n = strlen(s);
	bool ok = n > 0 && n <= DEVSIM_ID_MAX;
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7F || c == '/' || c == '+' || c == '#')
			ok = false;
	}
	return ok ? 0 : bad(name, "must be 1-128 printable characters without spaces, '/', '+', '#'");
}

static int check_text(const char *name, const char *s)
{
	size_t n = strlen(s);
	bool ok = n > 0 && n <= DEVSIM_ID_MAX;
	for (size_t i = 0; ok && i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7F)
			ok = false;
	return ok ? 0 : bad(name, "must be 1-128 printable ASCII characters");
}

/* "climate,light:3" — a type alone uses --count, T:N adds N of that type. */
static int read_types(struct options *opt, const char *name, const char *list)
{
	const char *p = list;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *colon = memchr(p, ':', len);
		size_t name_len = colon ? (size_t)(colon - p) : len;
		enum device_type type;
		if (device_type_parse(p, name_len, &type) != 0)
			return bad(name, "must be climate, pir, switch-pir or light, optionally :N");
		if (colon) {
			char num[16];
			size_t num_len = len - name_len - 1;
			if (num_len == 0 || num_len >= sizeof num)
				return bad(name, "N in T:N must be an integer from 1 to 100000");
			memcpy(num, colon + 1, num_len);
			num[num_len] = '\0';
			int n;
			if (parse_int("--type T:N", num, 1, DEVSIM_MAX_DEVICES, &n) != 0)
				return -1;
			if (opt->type_extra[type] > DEVSIM_MAX_DEVICES - n)
				return bad(name, "too many devices");
			opt->type_extra[type] += n;
		} else {
			opt->type_listed[type] = true;
		}
		if (!end)
			return 0;
		p = end + 1;
	}
}

static int read_rate(struct options *opt, const char *name, const char *value)
{
	char *end;
	errno = 0;
	opt->rate = strtod(value, &end);
	if (errno || end == value || *end || !(opt->rate > 0 && opt->rate <= 1000000))
		return bad(name, "must be a number greater than 0, at most 1000000");
	return 0;
}

static int read_seed(struct options *opt, const char *name, const char *value)
{
	long v;
	if (parse_long(name, value, 0, LONG_MAX, &v) != 0)
		return -1;
	opt->seed = (uint64_t)v;
	return 0;
}

static int read_ota_fail_rate(struct options *opt, const char *name, const char *value)
{
	char *end;
	errno = 0;
	opt->ota_fail_rate = strtod(value, &end);
	if (errno || end == value || *end || !(opt->ota_fail_rate >= 0 && opt->ota_fail_rate <= 1))
		return bad(name, "must be a number from 0 to 1");
	return 0;
}

static int read_log_level(struct options *opt, const char *name, const char *value)
{
	enum simlog_level level;
	if (simlog_parse_level(value, &level) != 0)
		return bad(name, "must be debug, info, warn or error");
	simlog_set_level(level);
	return 0;
}

/* What an option's value is, and so how it is read and where it goes. */
enum option_kind {
	VALUE_INT,        /* an integer from min to max: *number */
	VALUE_NOT_EMPTY,  /* any text but "": *text */
	VALUE_TOPIC_WORD, /* a word that goes into topics (check_topic_word): *text */
	VALUE_TEXT,       /* printable ASCII (check_text): *text */
	VALUE_PATH,       /* a file name, opened later: *text */
	VALUE_FLAG,       /* none: *flag is set */
	VALUE_READ,       /* read(): values of their own kind */
};

/* One option of devsim --help: its name without "--", its value and where that goes. */
struct option_spec {
	const char *name;
	enum option_kind kind;
	int min, max;
	int *number;
	const char **text;
	bool *flag;
	int (*read)(struct options *opt, const char *name, const char *value);
};

/* getopt_long's val for specs[i] is OPTION_VAL + i (beyond every short option). */
#define OPTION_VAL 256

/* Reads one option's value; errors name it ("--count: must be an integer from 1 to 100000"). */
static int option_read(struct options *opt, const struct option_spec *spec, const char *value)
{
	char name[48];
	snprintf(name, sizeof name, "--%s", spec->name);
	switch (spec->kind) {
	case VALUE_INT:
		return parse_int(name, value, spec->min, spec->max, spec->number);
	case VALUE_NOT_EMPTY:
		*spec->text = value;
		return *value ? 0 : bad(name, "must not be empty");
	case VALUE_TOPIC_WORD:
		*spec->text = value;
		return check_topic_word(name, value);
	case VALUE_TEXT:
		*spec->text = value;
		return check_text(name, value);
	case VALUE_PATH:
		*spec->text = value;
		return 0;
	case VALUE_FLAG:
		*spec->flag = true;
		return 0;
	case VALUE_READ:
		return spec->read(opt, name, value);
	}
	return -1;
}

/* 0: run; 1: --help printed; -1: bad options (already logged). */
static int options_parse(struct options *opt, int argc, char **argv)
{
	const struct option_spec specs[] = {
		{ "host", VALUE_NOT_EMPTY, .text = &opt->host },
		{ "port", VALUE_INT, 1, 65535, .number = &opt->port },
		{ "station-id", VALUE_TOPIC_WORD, .text = &opt->station_id },
		{ "count", VALUE_INT, 1, DEVSIM_MAX_DEVICES, .number = &opt->count },
		{ "type", VALUE_READ, .read = read_types },
		{ "prefix", VALUE_TOPIC_WORD, .text = &opt->prefix },
		{ "credentials", VALUE_PATH, .text = &opt->credentials_path },
		{ "telemetry-interval-ms", VALUE_INT, 10, 86400000, .number = &opt->telemetry_interval_ms },
		{ "heartbeat-interval-s", VALUE_INT, 1, 86400, .number = &opt->heartbeat_interval_s },
		{ "rate", VALUE_READ, .read = read_rate },
		{ "duration", VALUE_INT, 1, INT_MAX / 1000, .number = &opt->duration_s },
		{ "kit-tag", VALUE_TOPIC_WORD, .text = &opt->kit_tag },
		{ "firmware-version", VALUE_TEXT, .text = &opt->firmware_version },
		{ "chip", VALUE_TEXT, .text = &opt->chip },
		{ "qos", VALUE_INT, 0, 1, .number = &opt->qos },
		{ "keepalive-s", VALUE_INT, 5, 65535, .number = &opt->keepalive_s },
		{ "connect-rate", VALUE_INT, 1, 100000, .number = &opt->connect_rate },
		{ "seed", VALUE_READ, .read = read_seed },
		{ "print-commands", VALUE_FLAG, .flag = &opt->print_commands },
		{ "sequence", VALUE_FLAG, .flag = &opt->sequence },
		{ "report", VALUE_PATH, .text = &opt->report_path },
		{ "ota-reboot-ms", VALUE_INT, 0, 3600000, .number = &opt->ota_reboot_ms },
		{ "ota-fail-rate", VALUE_READ, .read = read_ota_fail_rate },
		{ "press-interval-ms", VALUE_INT, 400, 86400000, .number = &opt->press_interval_ms },
		{ "log-level", VALUE_READ, .read = read_log_level },
	};
	enum { SPECS = sizeof specs / sizeof specs[0] };
	struct option long_options[SPECS + 2];
	for (int i = 0; i < SPECS; i++)
		long_options[i] = (struct option){ specs[i].name, specs[i].kind == VALUE_FLAG ? no_argument : required_argument,
						   NULL, OPTION_VAL + i };
	long_options[SPECS] = (struct option){ "help", no_argument, NULL, 'h' };
	long_options[SPECS + 1] = (struct option){ NULL, 0, NULL, 0 };

	const char *env_port = getenv("STATION_MQTT_PORT");
	if (env_port && *env_port &&
	    parse_int("STATION_MQTT_PORT", env_port, 1, 65535, &opt->port) != 0)
		return -1;
	bool count_given = false;
	int c;
	opterr = 0; /* errors are reported as log lines, below */
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 1;
		}
		if (c < OPTION_VAL || c >= OPTION_VAL + SPECS)
			return bad(argv[optind - 1], "unknown option or missing value");
		const struct option_spec *spec = &specs[c - OPTION_VAL];
		if (option_read(opt, spec, optarg) != 0)
			return -1;
		count_given = count_given || spec->number == &opt->count;
	}
	if (optind < argc)
		return bad(argv[optind], "unexpected argument");
	if (!opt->station_id)
		return bad("--station-id", "is required");
	if (opt->report_path && !opt->sequence)
		return bad("--report", "needs --sequence");
	if (opt->credentials_path) {
		bool typed = count_given;
		for (int t = 0; t < DEVICE_TYPE_COUNT; t++)
			typed = typed || opt->type_listed[t] || opt->type_extra[t];
		if (typed)
			return bad("--credentials", "cannot be combined with --count or --type");
	}
	return 0;
}

/* Each device holds FDS_PER_DEVICE descriptors: raise the soft limit, or say why not. */
static int ensure_fd_limit(size_t devices)
{
	rlim_t need = (rlim_t)devices * FDS_PER_DEVICE + FDS_SPARE;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		char have[24], want[24];
		snprintf(have, sizeof have, "%llu", (unsigned long long)rl.rlim_max);
		snprintf(want, sizeof want, "%llu", (unsigned long long)need);
		simlog(SIMLOG_ERROR, "too many devices for the open file limit", "need", want,
		       "hardLimit", have, "hint", "raise it (ulimit -Hn) or run fewer devices", NULL);
		return -1;
	}
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		simlog(SIMLOG_ERROR, "cannot raise the open file limit", "reason", strerror(errno), NULL);
		return -1;
	}
	return 0;
}

static void log_summary(const struct sim *sim)
{
	char devices[24], published[24], per_second[32], states[24], commands[24], acks[24],
		dropped[24], failed[24], connects[24], disconnects[24], seconds[32];
	double secs = (double)sim->run_ms / 1000.0;
	snprintf(devices, sizeof devices, "%zu", sim->count);
	snprintf(published, sizeof published, "%llu", sim->n.published);
	snprintf(per_second, sizeof per_second, "%.1f", secs > 0 ? (double)sim->n.published / secs : 0.0);
	snprintf(states, sizeof states, "%llu", sim->n.states);
	snprintf(commands, sizeof commands, "%llu", sim->n.commands);
	snprintf(acks, sizeof acks, "%llu", sim->n.acks);
	snprintf(dropped, sizeof dropped, "%llu", sim->n.dropped);
	snprintf(failed, sizeof failed, "%llu", sim->n.publish_failed);
	snprintf(connects, sizeof connects, "%llu", sim->n.connects);
	snprintf(disconnects, sizeof disconnects, "%llu", sim->n.disconnects);
	snprintf(seconds, sizeof seconds, "%.1f", secs);
	simlog(SIMLOG_INFO, "summary", "devices", devices, "published", published,
	       "publishedPerSecond", per_second, "statesPublished", states,
	       "commandsReceived", commands,
	       "acksReceived", acks, "dropped", dropped, "publishFailed", failed,
	       "connects", connects, "disconnects", disconnects, "seconds", seconds, NULL);
}

int main(int argc, char **argv)
{
	struct options opt;
	options_defaults(&opt);
	int rc = options_parse(&opt, argc, argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;

	struct sim sim = { .opt = &opt };
	if (fleet_build(&sim) != 0 || ensure_fd_limit(sim.count) != 0) {
		fleet_free(&sim);
		return 1;
	}
	char devices[24], port[16], rate[32];
	snprintf(devices, sizeof devices, "%zu", sim.count);
	snprintf(port, sizeof port, "%d", opt.port);
	snprintf(rate, sizeof rate, "%g", opt.rate);
	simlog(SIMLOG_INFO, "devsim starting", "devices", devices, "host", opt.host, "port", port,
	       "stationId", opt.station_id, "rate", rate, NULL);

	mosquitto_lib_init();
	int status = sim_run(&sim);
	log_summary(&sim);
	if (opt.report_path && report_write(&sim) != 0 && status == 0)
		status = 1;
	fleet_free(&sim);
	jbuf_free(&sim.scratch);
	mosquitto_lib_cleanup();
	return status;
}
