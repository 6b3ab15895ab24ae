/*
 * broker.h — station-mqttd's one MQTT session, driven by hand from the daemon's poll()
 * loop (mosquitto_socket, mosquitto_want_write, mosquitto_loop_read/write/misc): no
 * library thread, never a blocking call on the broker.
 *
 * The session has a fixed client id and clean session off, so the broker keeps mqttd's
 * QoS 1 subscriptions and queues device messages while mqttd restarts. A lost or refused
 * connection is retried with capped backoff; the outage is logged once when it starts
 * and once when it ends. Each attempt uses a fresh libmosquitto client: a publish that
 * was not acknowledged before the connection dropped is forgotten rather than resent
 * later by the library — the command outbox decides again what is still worth sending
 * (an expired command never is).
 */
#ifndef MQTTD_BROKER_H
#define MQTTD_BROKER_H

#include <stdbool.h>
#include <stddef.h>

struct broker_settings {
	const char *host;
	int port;
	const char *client_id;
	const char *username;
	const char *password;
	int keepalive_s;
	long retry_first_ms;
	long retry_max_ms;
};

/* Called from inside libmosquitto's callbacks: they may publish, never destroy the broker. */
struct broker_handlers {
	void (*connected)(void *ctx);     /* CONNACK accepted: subscribe here */
	void (*lost)(void *ctx);          /* the session ended; unacknowledged publishes are gone */
	void (*message)(void *ctx, const char *topic, const void *payload, int len, bool retained);
	void (*published)(void *ctx, int mid); /* the broker acknowledged publish mid (QoS 1) */
};

struct broker;

struct broker *broker_new(const struct broker_settings *settings, const struct broker_handlers *handlers,
			  void *ctx);
void broker_free(struct broker *b);

/* Connects when a (re)connection is due, runs keepalive housekeeping. now: monotonic ms. */
void broker_tick(struct broker *b, long long now);
/* Milliseconds until broker_tick has something to do (at most a second). */
long broker_timeout_ms(const struct broker *b, long long now);

int broker_socket(const struct broker *b);
bool broker_want_write(const struct broker *b);
/* Services the socket after poll() reported revents on it. */
void broker_io(struct broker *b, short revents);

bool broker_connected(const struct broker *b);
/* 0 and *mid on success; -1 when there is no session or the library refused. */
int broker_publish(struct broker *b, const char *topic, const char *payload, size_t len, int qos, int *mid);
/* 0 on success. */
int broker_subscribe(struct broker *b, const char *filter, int qos);

/* Clean shutdown: DISCONNECT, and up to wait_ms for queued packets to leave. */
void broker_disconnect(struct broker *b, long wait_ms);

#endif
