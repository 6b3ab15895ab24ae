/*
 * mqttd.h — station-mqttd's state and its use cases (device-core, SPEC §5).
 *
 * One process, one event loop (adapters/event_loop.c), no threads. struct mqttd holds
 * everything the use cases share: the configuration, the database connection and its
 * availability, the broker session, the telemetry queue, the command outbox in flight
 * and two arenas (one per inbound message, one per transaction). The use cases:
 *
 *   handshake.c   answer a handshake (ok / unknown_device / silence)
 *   telemetry.c   queue state, event and heartbeat messages; write them in batches
 *   outbox.c      publish queued commands; record them once the broker has them
 *   reconcile.c   at start: online devices silent too long become offline
 *   journal.c     device_events rows and station_events NOTIFYs of one transaction
 *   session.c     the database connection as the use cases see it (LISTEN kept alive)
 *
 * Nothing here parses MQTT topics or payloads (adapters/ and domain/ do); all SQL is in
 * infrastructure/repo.c. A use case never leaves a transaction open when it returns.
 */
#ifndef MQTTD_APPLICATION_H
#define MQTTD_APPLICATION_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "db.h"
#include "domain/device_apply.h"
#include "domain/payload.h"
#include "domain/pending.h"
#include "infrastructure/broker.h"
#include "infrastructure/database.h"

#define MQTTD_CLIENT_ID "station-mqttd"
#define MQTTD_KEEPALIVE_S 30
#define MQTTD_BROKER_RETRY_FIRST_MS 500
#define MQTTD_BROKER_RETRY_MAX_MS 10000
/* Telemetry kept while the database is away (candidates for config keys). */
#define MQTTD_PENDING_MAX_MESSAGES 20000
#define MQTTD_PENDING_MAX_BYTES (8 * 1024 * 1024)
/* Commands published and not yet recorded as sent; commands asked for per query. */
#define OUTBOX_INFLIGHT_MAX 100
#define OUTBOX_BATCH 50
/* The outbox is also drained this often, in case a notification was missed. */
#define OUTBOX_SWEEP_MS 10000

struct mqttd_config {
	const char *host;
	int port;
	const char *username;
	const char *password;
	size_t max_payload;
	int json_max_depth;
	long heartbeat_timeout_s;
	size_t batch_max;
	long batch_interval_ms;
};

/* A command handed to the broker and not yet recorded as sent. */
struct outbox_entry {
	char id[40];        /* device_commands.id */
	int mid;            /* the publish's message id */
	bool acked;         /* the broker acknowledged it; the database is told next */
	long long acked_ms; /* wall clock */
};

struct mqttd {
	struct mqttd_config cfg;
	char *station_id;
	struct db *db;
	struct database database;
	unsigned listen_generation; /* the connection LISTEN device_commands was sent on */
	struct broker *broker;

	struct pending pending;
	long long flush_due;            /* monotonic ms; meaningful while pending.ring.count > 0 */
	long long last_flush_ms;        /* monotonic ms when the last batch was written */
	unsigned long long refused;     /* messages refused since the queue became full */
	long long last_received_us;     /* arrival time of the last queued message */

	struct outbox_entry outbox[OUTBOX_INFLIGHT_MAX];
	size_t noutbox;
	bool outbox_wanted;             /* drain at the next chance */
	long long outbox_sweep;         /* monotonic ms of the next periodic drain */

	struct arena *message_arena;    /* one inbound message */
	struct arena *batch_arena;      /* one transaction */
};

/* session.c */
/* Wall clock, epoch microseconds. */
long long mqttd_now_us(void);
/* True when SQL may be sent now (reconnects when due, LISTENs again after a reconnect). */
bool mqttd_db_ready(struct mqttd *m, bool urgent);
/* Reports a failed statement or transaction: DB_UNAVAILABLE starts an outage. */
void mqttd_db_failed(struct mqttd *m, enum db_status st);

/* handshake.c */
void handshake_receive(struct mqttd *m, const char *external_id, const struct handshake_report *report);

/* telemetry.c */
/* Queues a validated state/event/heartbeat payload of a device. */
void telemetry_receive(struct mqttd *m, enum device_report_kind kind, const char *external_id,
		       const char *payload, size_t len);
/* Writes everything queued, batch_max messages per transaction, while the database lets it. */
void telemetry_flush(struct mqttd *m);
/* True when the queue should be written now. */
bool telemetry_due(const struct mqttd *m, long long now);

/* outbox.c */
void outbox_wake(struct mqttd *m);
void outbox_drain(struct mqttd *m, long long now);
void outbox_acknowledged(struct mqttd *m, int mid);
void outbox_record(struct mqttd *m);
void outbox_session_lost(struct mqttd *m);
/* True when outbox_record has acknowledged commands to write. */
bool outbox_has_acks(const struct mqttd *m);

/* reconcile.c */
void reconcile_heartbeats(struct mqttd *m);

#endif
