/*
 * devsim.h — the model shared by devsim's files: the options of a run, one simulated
 * device (its MQTT link, its timers, its simulated hardware), and the run's counters.
 *
 * devsim simulates ESP32 devices speaking SPEC §5 byte for byte. It is one process, one
 * thread: every device's libmosquitto client is driven from a single poll() loop
 * (loop.c), so a thousand devices cost a thousand sockets and no threads.
 */
#ifndef DEVSIM_H
#define DEVSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payload.h"

#define DEVSIM_ID_MAX 128             /* external ids, station id, prefix, kit tag, … */
#define DEVSIM_TOKEN_MAX 512
#define DEVSIM_TOPIC_MAX 512
#define DEVSIM_PAYLOAD_MAX (64 * 1024) /* larger incoming payloads are ignored */
#define DEVSIM_MAX_DEVICES 100000
#define DEVSIM_MAX_UNACKED 500        /* queued publishes per device before dropping */

enum device_type { DEVICE_CLIMATE, DEVICE_PIR, DEVICE_SWITCH_PIR, DEVICE_LIGHT, DEVICE_TYPE_COUNT };

struct options {
	const char *host;
	int port;
	const char *station_id;
	const char *prefix;
	int count;                          /* devices per listed type (--count) */
	int type_extra[DEVICE_TYPE_COUNT];  /* explicit T:N counts, summed */
	bool type_listed[DEVICE_TYPE_COUNT];/* listed without :N → uses count */
	const char *credentials_path;
	int telemetry_interval_ms;
	int heartbeat_interval_s;
	double rate;                        /* aggregate state messages/s; 0 = per-device timers */
	int duration_s;                     /* 0 = until SIGINT/SIGTERM */
	const char *kit_tag;
	const char *firmware_version;
	const char *chip;
	int qos;
	int keepalive_s;
	int connect_rate;                   /* new connections per second */
	uint64_t seed;
	bool print_commands;
	bool sequence;                      /* "seq" in every state and event (benchmarks, tests) */
	const char *report_path;            /* --report: what each device published, at pause and exit */
	int ota_reboot_ms;                  /* --ota-reboot-ms: away after an update, before the handshake */
	double ota_fail_rate;               /* --ota-fail-rate: probability that an update fails */
	int press_interval_ms;              /* --press-interval-ms: switch-pir buttons pressed on a clock; 0 = at random */
};

enum link_state {
	LINK_IDLE,       /* no socket; connect_at says when to try */
	LINK_CONNECTING, /* socket open, CONNACK not yet received */
	LINK_UP,         /* CONNACK 0 received */
	LINK_CLOSING,    /* DISCONNECT queued */
};

struct sim;

struct device {
	struct sim *sim;
	size_t index;
	char ext_id[DEVSIM_ID_MAX + 1];
	enum device_type type;
	char *token;     /* NULL: no password */
	char *kit_tag;   /* NULL: none (falls back to --kit-tag) */
	char topic_base[DEVSIM_TOPIC_MAX]; /* station/<stationId>/device/<extId>/ */

	struct mosquitto *mosq;
	enum link_state link;
	bool online;          /* CONNACK accepted and session not yet lost */
	bool reboot_pending;
	bool refused;         /* the broker answered CONNACK with a refusal */
	int failures;         /* consecutive failed connection attempts */
	int backoff_ms;
	long unacked;         /* published but not yet written (QoS 0) or acked (QoS 1) */

	int64_t connect_at;   /* 0 = no attempt scheduled */
	int64_t heartbeat_at;
	int64_t telemetry_at;
	int64_t button_release_at;
	int64_t press_at;     /* --press-interval-ms: the next button press */

	uint64_t rng;
	double temperature, humidity, pressure;
	bool motion, button, on;
	int brightness;
	char firmware_version[65]; /* after an OTA update; empty: --firmware-version */
	int reboot_delay_ms;  /* the pending reboot's; 0: the default second */
	int ota_pid;          /* the process downloading an update (ota.c), 0: none */
	char ota_version[65]; /* the version it installs */
	long state_seq;       /* state messages published with a "seq" (--sequence) */
	long event_seq;       /* event messages published with a "seq" (--sequence) */
};

struct counters {
	unsigned long long published;
	unsigned long long states;        /* of which on …/state */
	unsigned long long publish_failed;
	unsigned long long dropped;
	unsigned long long commands;
	unsigned long long acks;
	unsigned long long connects;
	unsigned long long disconnects;
};

struct sim {
	const struct options *opt;
	struct device *devices;
	size_t count;
	size_t connected;
	struct counters n;
	struct jbuf scratch; /* one message at a time */
	bool stopping;
	bool paused;         /* SIGUSR1 … SIGUSR2: no telemetry, events or heartbeats */
	int64_t run_ms;      /* start to stop, for the summary */
};

/* loop.c */
int64_t sim_now_ms(void);
int sim_run(struct sim *sim);

/* report.c: --report FILE, one line per device {"deviceId","stateSeq","eventSeq"},
 * replaced atomically. 0, or -1 (logged). */
int report_write(const struct sim *sim);

/* ota.c: ota_update in a process of its own per device (the download never blocks the
 * loop); ota_reap, called by the loop, finishes the updates whose process ended. */
struct command;
void ota_start(struct device *dev, const struct command *cmd);
void ota_reap(struct sim *sim);

/* fleet.c: the list of devices, from --count/--type or from --credentials. */
int fleet_build(struct sim *sim);
void fleet_free(struct sim *sim);

#endif
