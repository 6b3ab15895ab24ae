/*
 * daemon_queue.h — the bound on what the broker keeps for a daemon's persistent session
 * (mqttd's: clean session off) while the daemon is away, and the count of what it drops.
 *
 * Why here: Mosquitto 2.0's max_queued_messages / max_queued_bytes are global (one value
 * for every client), and when a queue is full it drops messages with one notice line
 * and no count. The plugin sees every delivery to a client (the read check) before the
 * broker queues it, so for an absent daemon session it counts what is queued and refuses
 * the delivery once the bound (messages, payload bytes) is reached — counting each such
 * message, which the plugin then logs. Mosquitto's global limits are set above this
 * bound, as a backstop (docs/mqtt.md, "Limits").
 *
 * QoS 0 messages are never queued for an absent session (queue_qos0_messages false):
 * they are counted apart, as lost. Pure: the caller logs; `holder` is an opaque pointer.
 */
#ifndef STATION_MQTT_DAEMON_QUEUE_H
#define STATION_MQTT_DAEMON_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "strmap.h"

#define DAEMON_QUEUE_REPORT_MS 10000 /* while drops go on, a running count this often */

struct daemon_queue {
	struct strmap sessions; /* client id → struct daemon_session */
	uint64_t max_messages, max_bytes;
};

/* What happened to one session while its daemon was away. */
struct daemon_absence {
	int64_t since_ms;    /* when it went away (0: unknown, e.g. restored at broker start) */
	uint64_t queued;     /* messages kept for it */
	uint64_t bytes;      /* their payload bytes */
	uint64_t dropped;    /* refused over the bound */
	uint64_t qos0_lost;  /* QoS 0 messages, which the broker does not keep */
};

void daemon_queue_init(struct daemon_queue *q, uint64_t max_messages, uint64_t max_bytes);
void daemon_queue_free(struct daemon_queue *q);

/*
 * The daemon's persistent session client_id is connected again through holder. Returns
 * (in *absence) what happened while it was away — all zero when it was not known to be
 * away — and starts afresh.
 */
void daemon_queue_connected(struct daemon_queue *q, const char *client_id, const void *holder,
			    struct daemon_absence *absence);

/* The connection holder of client_id ended (a replaced holder changes nothing). */
void daemon_queue_disconnected(struct daemon_queue *q, const char *client_id, const void *holder, int64_t now_ms);

enum daemon_queue_verdict {
	DAEMON_QUEUE_PASS,    /* the session is connected, or the message is QoS 0: not ours to decide */
	DAEMON_QUEUE_KEEP,    /* within the bound: counted as queued */
	DAEMON_QUEUE_DROP,    /* over the bound: refuse the delivery (counted) */
};

/* A message of payload_bytes and qos is about to be delivered to client_id's session. */
enum daemon_queue_verdict daemon_queue_offer(struct daemon_queue *q, const char *client_id, uint64_t payload_bytes,
					     int qos);

/*
 * Calls report(client_id, absence, ctx) for each absent session that dropped messages
 * since its last report: the first drop at the next sweep, then at most every
 * DAEMON_QUEUE_REPORT_MS (the counts are running totals of the absence).
 */
void daemon_queue_sweep(struct daemon_queue *q, int64_t now_ms,
			void (*report)(const char *client_id, const struct daemon_absence *absence, void *ctx),
			void *ctx);

#endif
