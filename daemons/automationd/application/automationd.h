/*
 * automationd.h — station-automationd's state and the use cases its event loop calls.
 *
 * One process, one event loop (adapters in main.c and loop.c), its PostgreSQL link kept by
 * lib/db_link. Exactly one instance runs automations at a time: the one whose session
 * holds the runner lock (a session advisory lock; repo.h). Others are standbys that try
 * again every automations.standby_retry_ms, so a second instance, or a restart racing
 * the old process, waits until the runner's session is gone — and every step is claimed
 * by a single statement besides (docs/automations.md, "Durability").
 *
 * The runner keeps:
 *  - the index (index.c): the published automations, parsed with lib/flow, whose
 *    triggers are matched against the device news that station_events and
 *    automation_events carry, with each schedule's next instant and each state
 *    trigger's last value seen;
 *  - the runs going (runs.c): the runs with a delay waiting or a webhook in flight, each
 *    with its own copy of its flow and one step state per node, mirrored from the rows.
 * Everything a run does is a row first; memory only says what to do next, and a new
 * runner rebuilds it from the rows (runs_recover).
 */
#ifndef AUTOMATIOND_H
#define AUTOMATIOND_H

#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "db.h"
#include "db_link.h"
#include "domain/match.h"
#include "domain/runner.h"
#include "flow.h"
#include "infrastructure/webhook.h"

#define AUTOMATIOND_ZONE_MAX 64

struct automationd_config {
	long command_ttl_s;          /* devices.command_ttl */
	size_t max_active_runs;      /* automations.max_active_runs */
	long standby_retry_ms;       /* automations.standby_retry_ms */
	size_t webhook_max_response; /* automations.webhook_max_response_bytes */
	size_t webhook_output_bytes; /* automations.webhook_output_bytes */
};

/* One published automation, as the index holds it. */
struct indexed {
	char *id, *name, *flow_text;
	struct arena *arena;          /* everything of this entry */
	struct flow flow;
	long long *next_fire;         /* per node: a schedule's next instant (epoch s), 0 none */
	struct json_object **last;    /* per node: a state trigger's last value seen (owned ref) */
};

/* A run going. */
struct run {
	char *id, *automation_id, *name, *trigger_json;
	struct arena *arena;
	struct flow flow;
	enum step_state *state;       /* per node */
	bool *taken;                  /* per node: a condition's result */
	const char **step_id;         /* per node: its row's id, once it has one */
	long long *due_ms;            /* per node: a waiting delay's due time (epoch ms) */
	struct run *next;
};

/* A webhook step in flight (its row says 'running'); a new runner must not fail it. */
struct in_flight {
	char step_id[WEBHOOK_ID_SIZE];
	struct in_flight *next;
};

struct automationd {
	struct automationd_config cfg;
	struct db *db;
	struct db_link *link;
	bool up;                      /* the link is connected */
	bool leader;                  /* this session holds the runner lock */
	bool forget;                  /* the session was lost: drop the runs going at the next turn */
	bool said_standby;            /* "standby" logged for this connection */
	long long lock_retry_at;      /* monotonic ms: a standby's next try */
	long long zone_check_at;      /* monotonic ms: the runner's next look at the time zone */
	struct arena *scratch;        /* per loop turn */
	char zone[AUTOMATIOND_ZONE_MAX];
	struct indexed *autos;
	size_t nautos;
	struct run *runs;
	size_t nruns;
	struct webhooks *webhooks;
	struct in_flight *in_flight;
};

/* index.c */
void index_load(struct automationd *a);
void index_reload_one(struct automationd *a, const char *automation_id);
void index_clear(struct automationd *a);
void index_on_notice(struct automationd *a, const struct device_notice *n);
void index_run_schedules(struct automationd *a, long long now_s);
/* The earliest schedule instant (epoch s), or -1. */
long long index_next_schedule(const struct automationd *a);
/* Reads station_settings.timezone into a->zone and the process's TZ (the station's local
 * time is the process's local time); true when it changed. */
bool index_read_zone(struct automationd *a);
/* PATCH /api/settings sends no notification: the loop asks every ZONE_CHECK_MS (and every
 * automations_changed does), and schedules move to a new zone's clock. */
void index_check_zone(struct automationd *a);
#define ZONE_CHECK_MS 60000

/* runs.c */
void runs_start(struct automationd *a, const struct indexed *au, size_t node, const char *trigger_json,
		const char *output_json);
void runs_resume(struct automationd *a, const char *run_id);
void runs_recover(struct automationd *a);
void runs_due(struct automationd *a, long long now_ms);
/* The earliest waiting delay's due time (epoch ms), or -1. */
long long runs_next_due(const struct automationd *a);
void runs_webhook_done(struct automationd *a, struct webhook_result *r);
/* Forgets every run going (the rows stay; the next runner takes them up). */
void runs_forget_all(struct automationd *a);

/* loop.c */
/* A statement said the database is unavailable: the runner role ends with the session. */
void automationd_db_failed(struct automationd *a, enum db_status st);
int automationd_run(struct automationd *a, volatile sig_atomic_t *stop, const sigset_t *unblocked);

#endif
