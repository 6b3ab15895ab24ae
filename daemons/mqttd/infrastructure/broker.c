/*
 * broker.c — the libmosquitto session of station-mqttd (see broker.h).
 *
 * States: IDLE (no client socket; a connection is due at next_attempt), CONNECTING
 * (TCP + CONNECT sent, waiting for CONNACK), UP. Every loss goes through session_lost(),
 * the one place a retry is scheduled. libmosquitto calls back from inside
 * mosquitto_loop_read/write/misc; those callbacks never free the client — the next
 * attempt replaces it from broker_tick(), outside any callback.
 *
 * Never logs the password; never blocks on the network (connects are asynchronous).
 */
#include "infrastructure/broker.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

#include "arena.h"
#include "backoff.h"
#include "log.h"
#include "timeutil.h"

#define MISC_INTERVAL_MS 1000
#define CONNECT_TIMEOUT_MS 10000 /* a CONNACK that takes longer: the attempt failed */

enum broker_state { BROKER_IDLE, BROKER_CONNECTING, BROKER_UP };

struct broker {
	struct broker_settings s;
	struct broker_handlers h;
	void *ctx;
	struct mosquitto *mosq;
	enum broker_state state;
	struct backoff backoff;
	long long next_attempt;  /* monotonic ms, when IDLE */
	long long next_misc;
	long long connect_deadline; /* monotonic ms, when CONNECTING */
	long long down_since;    /* monotonic ms of the outage's start; 0 when none */
	bool outage_logged;
	bool ever_connected;
	bool refused;            /* the last CONNACK was a refusal (already logged) */
};

static const char *reason_of(int rc, int err)
{
	return rc == MOSQ_ERR_ERRNO ? strerror(err) : mosquitto_strerror(rc);
}

/* The session ended (or never started): schedule the next attempt, log once per outage. */
static void session_lost(struct broker *b, const char *reason)
{
	long long now = time_monotonic_ms();
	bool was_up = b->state == BROKER_UP;
	b->state = BROKER_IDLE;
	if (!b->down_since)
		b->down_since = now;
	long delay = backoff_next(&b->backoff, backoff_jitter());
	b->next_attempt = now + delay;
	if (!b->outage_logged) {
		b->outage_logged = true;
		char port[16], retry[24];
		snprintf(port, sizeof port, "%d", b->s.port);
		snprintf(retry, sizeof retry, "%ld", delay);
		log_fields(LOG_WARN, was_up ? "broker connection lost; reconnecting with backoff"
					    : "broker unreachable; retrying with backoff",
			   "host", b->s.host, "port", port, "reason", reason, "retryMs", retry, NULL);
	}
	if (was_up && b->h.lost)
		b->h.lost(b->ctx);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct broker *b = obj;
	(void)mosq;
	if (rc != 0) {
		/* on_disconnect follows and schedules the retry. */
		b->refused = true;
		if (!b->outage_logged) {
			b->outage_logged = true;
			log_fields(LOG_ERROR, "broker refused the connection; retrying with backoff", "username",
				   b->s.username, "reason", mosquitto_connack_string(rc), NULL);
		}
		return;
	}
	long long now = time_monotonic_ms();
	if (b->down_since && b->ever_connected) {
		char ms[24];
		snprintf(ms, sizeof ms, "%lld", now - b->down_since);
		log_fields(LOG_INFO, "broker connected again", "outageMs", ms, NULL);
	} else {
		log_fields(LOG_INFO, "broker connected", "host", b->s.host, "clientId", b->s.client_id, NULL);
	}
	b->state = BROKER_UP;
	b->ever_connected = true;
	b->down_since = 0;
	b->outage_logged = false;
	backoff_reset(&b->backoff);
	if (b->h.connected)
		b->h.connected(b->ctx);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	struct broker *b = obj;
	(void)mosq;
	int err = errno;
	if (b->state == BROKER_IDLE)
		return; /* a clean shutdown, or already counted */
	session_lost(b, b->refused ? "connection refused" : rc == 0 ? "disconnected" : reason_of(rc, err));
	b->refused = false;
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct broker *b = obj;
	(void)mosq;
	if (b->h.published)
		b->h.published(b->ctx, mid);
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int count, const int *granted)
{
	struct broker *b = obj;
	(void)mosq;
	(void)mid;
	(void)b;
	for (int i = 0; i < count; i++)
		if (granted[i] > 2)
			log_fields(LOG_ERROR, "the broker refused a subscription (check its ACL for this daemon)", NULL);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct broker *b = obj;
	(void)mosq;
	if (b->h.message && msg->topic)
		b->h.message(b->ctx, msg->topic, msg->payload ? msg->payload : "", msg->payloadlen, msg->retain);
}

struct broker *broker_new(const struct broker_settings *settings, const struct broker_handlers *handlers,
			  void *ctx)
{
	struct broker *b = xcalloc(1, sizeof *b);
	b->s = *settings;
	b->h = *handlers;
	b->ctx = ctx;
	b->state = BROKER_IDLE;
	backoff_init(&b->backoff, settings->retry_first_ms, settings->retry_max_ms);
	b->next_attempt = 0; /* at once */
	return b;
}

void broker_free(struct broker *b)
{
	if (b && b->mosq)
		mosquitto_destroy(b->mosq);
	free(b);
}

/* A fresh client for one connection attempt; NULL after logging why not. */
static struct mosquitto *client_new(struct broker *b)
{
	struct mosquitto *mosq = mosquitto_new(b->s.client_id, false, b);
	if (!mosq) {
		log_error("cannot create the mqtt client: %s", strerror(errno));
		return NULL;
	}
	mosquitto_int_option(mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mosquitto_int_option(mosq, MOSQ_OPT_TCP_NODELAY, 1);
	int rc = mosquitto_username_pw_set(mosq, b->s.username, b->s.password);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_error("cannot set the mqtt credentials: %s", mosquitto_strerror(rc));
		mosquitto_destroy(mosq);
		return NULL;
	}
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_disconnect_callback_set(mosq, on_disconnect);
	mosquitto_publish_callback_set(mosq, on_publish);
	mosquitto_message_callback_set(mosq, on_message);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	return mosq;
}

static void attempt(struct broker *b, long long now)
{
	if (b->mosq)
		mosquitto_destroy(b->mosq);
	b->mosq = client_new(b);
	b->refused = false;
	if (!b->mosq) {
		b->state = BROKER_CONNECTING; /* so that session_lost counts it */
		session_lost(b, "cannot create client");
		return;
	}
	b->state = BROKER_CONNECTING;
	errno = 0;
	int rc = mosquitto_connect_async(b->mosq, b->s.host, b->s.port, b->s.keepalive_s);
	if (rc != MOSQ_ERR_SUCCESS) {
		/* Failed before a session existed: no on_disconnect will come. */
		session_lost(b, reason_of(rc, errno));
		return;
	}
	b->next_misc = now + MISC_INTERVAL_MS;
	b->connect_deadline = now + CONNECT_TIMEOUT_MS;
}

void broker_tick(struct broker *b, long long now)
{
	if (b->state == BROKER_IDLE) {
		if (now >= b->next_attempt)
			attempt(b, now);
		return;
	}
	if (now >= b->next_misc) {
		b->next_misc = now + MISC_INTERVAL_MS;
		if (b->mosq && mosquitto_socket(b->mosq) >= 0)
			mosquitto_loop_misc(b->mosq); /* keepalive; a dead broker ends in on_disconnect */
	}
	/* A connect that never completes (a black-holed broker) is abandoned; the next
	 * attempt replaces the client and so closes its socket. */
	if (b->state == BROKER_CONNECTING && (now >= b->connect_deadline || !b->mosq || mosquitto_socket(b->mosq) < 0))
		session_lost(b, now >= b->connect_deadline ? "no answer from the broker" : "connection failed");
}

long broker_timeout_ms(const struct broker *b, long long now)
{
	long long due = b->state == BROKER_IDLE ? b->next_attempt : b->next_misc;
	long long wait = due - now;
	if (wait < 0)
		return 0;
	return wait > MISC_INTERVAL_MS ? MISC_INTERVAL_MS : (long)wait;
}

int broker_socket(const struct broker *b)
{
	return b->state != BROKER_IDLE && b->mosq ? mosquitto_socket(b->mosq) : -1;
}

bool broker_want_write(const struct broker *b)
{
	return b->state != BROKER_IDLE && b->mosq && mosquitto_want_write(b->mosq);
}

void broker_io(struct broker *b, short revents)
{
	/* Errors reach on_disconnect through libmosquitto; return codes add nothing. */
	if (revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))
		mosquitto_loop_read(b->mosq, 1);
	if ((revents & POLLOUT) && b->state != BROKER_IDLE && mosquitto_socket(b->mosq) >= 0)
		mosquitto_loop_write(b->mosq, 1);
}

bool broker_connected(const struct broker *b)
{
	return b->state == BROKER_UP;
}

int broker_publish(struct broker *b, const char *topic, const char *payload, size_t len, int qos, int *mid)
{
	if (b->state != BROKER_UP || len > (size_t)0x7fffffff)
		return -1;
	int rc = mosquitto_publish(b->mosq, mid, topic, (int)len, payload, qos, false);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_fields(LOG_WARN, "publish failed", "topic", topic, "reason", mosquitto_strerror(rc), NULL);
		return -1;
	}
	return 0;
}

int broker_subscribe(struct broker *b, const char *filter, int qos)
{
	if (!b->mosq)
		return -1;
	int rc = mosquitto_subscribe(b->mosq, NULL, filter, qos);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_fields(LOG_ERROR, "subscribe failed", "topic", filter, "reason", mosquitto_strerror(rc), NULL);
		return -1;
	}
	return 0;
}

void broker_disconnect(struct broker *b, long wait_ms)
{
	if (!b->mosq || b->state == BROKER_IDLE)
		return;
	b->state = BROKER_IDLE; /* on_disconnect now ignores the close */
	mosquitto_disconnect(b->mosq);
	long long deadline = time_monotonic_ms() + wait_ms;
	while (mosquitto_socket(b->mosq) >= 0 && mosquitto_want_write(b->mosq)) {
		long long left = deadline - time_monotonic_ms();
		if (left <= 0)
			break;
		struct pollfd pfd = { .fd = mosquitto_socket(b->mosq), .events = POLLOUT };
		if (poll(&pfd, 1, (int)left) <= 0)
			break;
		mosquitto_loop_write(b->mosq, 1);
	}
}
