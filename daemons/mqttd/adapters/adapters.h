/*
 * adapters.h — where the outside world enters station-mqttd.
 *
 * MQTT: libmosquitto's callbacks (through infrastructure/broker.c) land in
 * broker_events.c; a device message is checked by inbound.c (size, retained flag,
 * topic) and handed to the file of its kind — on_handshake.c, on_state.c, on_event.c,
 * on_heartbeat.c — which validates the payload (domain/payload.c) and calls the use
 * case. PostgreSQL: a LISTEN notification lands in on_notification.c. The event loop
 * (event_loop.c) drives them all. Adapters translate; they decide nothing about devices,
 * and never let a malformed message go further than a log line.
 */
#ifndef MQTTD_ADAPTERS_H
#define MQTTD_ADAPTERS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "application/mqttd.h"

/* broker_events.c — struct broker_handlers; ctx is the struct mqttd. */
void adapters_connected(void *ctx);
void adapters_lost(void *ctx);
void adapters_message(void *ctx, const char *topic, const void *payload, int len, bool retained);
void adapters_published(void *ctx, int mid);

/* on_notification.c */
void adapters_notification(struct mqttd *m, const char *channel, const char *extra);

/* One file per message kind. payload[0..len) is bounded by mqtt.max_payload. */
void on_handshake(struct mqttd *m, const char *external_id, const char *payload, size_t len);
void on_state(struct mqttd *m, const char *external_id, const char *payload, size_t len);
void on_event(struct mqttd *m, const char *external_id, const char *payload, size_t len);
void on_heartbeat(struct mqttd *m, const char *external_id, const char *payload, size_t len);

/* event_loop.c — runs until *stop is set; returns 0 after a clean shutdown. unblocked:
 * the signal mask ppoll() waits with (the stop signals are blocked everywhere else). */
int mqttd_run(struct mqttd *m, volatile sig_atomic_t *stop, const sigset_t *unblocked);

/* inbound.c — logs a dropped message (never its payload), at most a few lines a second. */
void inbound_dropped(const char *external_id, const char *topic, const char *reason);
/* The step every on_<kind>.c takes: reason is what payload_parse_handshake or
 * payload_parse_report said; true when it is NULL (the payload validated), else the
 * message is dropped with that reason. */
bool inbound_valid(const char *external_id, const char *kind, const char *reason);
/* What on_state.c, on_event.c and on_heartbeat.c do: the payload validated as a report of
 * kind (name, for the log), then queued with the telemetry (application/telemetry.c). */
void inbound_telemetry(struct mqttd *m, enum device_report_kind kind, const char *name, const char *external_id,
		       const char *payload, size_t len);

#endif
