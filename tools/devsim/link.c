/*
 * link.c — one device's MQTT session over libmosquitto (see link.h).
 *
 * The loop (loop.c) owns the sockets: it polls mosquitto_socket(), asks
 * mosquitto_want_write() and calls mosquitto_loop_read/write/misc here. libmosquitto
 * reports every lost or refused session through on_disconnect, which is the one place a
 * reconnect is scheduled (1 s doubling to 30 s, ±20 % jitter, as firmware retries).
 *
 * This file must never block: connects are mosquitto_connect_async, and nothing here
 * waits for the broker.
 */
#include "link.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mosquitto.h>

#include "device.h"
#include "simlog.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000
#define REBOOT_DELAY_MS 1000

/* ---- libmosquitto's wake-up pair --------------------------------------------------
 * libmosquitto 2.0 gives every client a socketpair and writes one byte into it on each
 * publish, to wake a mosquitto_loop_start() thread. devsim runs no such thread, so the
 * bytes pile up until the pair's send buffer is full (~200 KiB of kernel memory per
 * device). mosquitto_new() takes the two lowest free descriptors for it; we note them
 * beforehand and shrink the pair's buffers, so it fills after a few bytes and the
 * library's writes (whose result it ignores) fail harmlessly with EAGAIN. Best effort:
 * if the descriptors are not a unix stream pair, nothing is changed. */

static void lowest_free_fds(int out[2])
{
	out[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out[1] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
}

static bool is_unix_stream(int fd)
{
	int domain = 0, type = 0;
	socklen_t len = sizeof domain;
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0)
		return false;
	len = sizeof type;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0)
		return false;
	return domain == AF_UNIX && type == SOCK_STREAM;
}

static void shrink_wakeup_pair(const int fds[2])
{
	if (!is_unix_stream(fds[0]) || !is_unix_stream(fds[1]))
		return;
	int size = 1; /* the kernel rounds up to its minimum */
	for (int i = 0; i < 2; i++)
		setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

/* ---- session bookkeeping --------------------------------------------------------- */

static void schedule_retry(struct device *dev, int64_t now)
{
	dev->failures++;
	dev->backoff_ms = dev->backoff_ms ? dev->backoff_ms * 2 : BACKOFF_FIRST_MS;
	if (dev->backoff_ms > BACKOFF_MAX_MS)
		dev->backoff_ms = BACKOFF_MAX_MS;
	double jitter = 0.8 + 0.4 * device_random(dev);
	dev->connect_at = now + (int64_t)(dev->backoff_ms * jitter) + 1;
}

/* MOSQ_ERR_ERRNO means "see errno": read errno before anything can change it. */
static const char *reason_of(int rc, int err)
{
	return rc == MOSQ_ERR_ERRNO ? strerror(err) : mosquitto_strerror(rc);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct device *dev = obj;
	struct sim *sim = dev->sim;
	(void)mosq;
	if (rc != 0) {
		/* libmosquitto follows up with on_disconnect, which schedules the retry. */
		simlog(dev->failures == 0 ? SIMLOG_WARN : SIMLOG_DEBUG, "connection refused",
		       "deviceId", dev->ext_id, "reason", mosquitto_connack_string(rc), NULL);
		dev->refused = true;
		return;
	}
	dev->link = LINK_UP;
	dev->online = true;
	dev->failures = 0;
	dev->backoff_ms = 0;
	sim->connected++;
	sim->n.connects++;
	simlog(SIMLOG_DEBUG, "device connected", "deviceId", dev->ext_id, NULL);
	device_on_connected(dev, sim_now_ms());
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	struct device *dev = obj;
	struct sim *sim = dev->sim;
	(void)mosq;
	int err = errno;
	bool was_online = dev->online;
	bool refused = dev->refused;
	int64_t now = sim_now_ms();
	dev->refused = false;
	if (was_online) {
		dev->online = false;
		sim->connected--;
		sim->n.disconnects++;
	}
	dev->link = LINK_IDLE;
	dev->unacked = 0;
	device_on_disconnected(dev);
	if (sim->stopping)
		return;
	if (dev->reboot_pending) {
		dev->reboot_pending = false;
		dev->connect_at = now + (dev->reboot_delay_ms > 0 ? dev->reboot_delay_ms : REBOOT_DELAY_MS);
		dev->reboot_delay_ms = 0;
		simlog(SIMLOG_INFO, "device rebooting", "deviceId", dev->ext_id, NULL);
		return;
	}
	schedule_retry(dev, now);
	if (was_online)
		simlog(SIMLOG_WARN, "connection lost", "deviceId", dev->ext_id, "reason",
		       reason_of(rc, err), NULL);
	else if (!refused) /* a refusal was logged already, with the broker's reason */
		simlog(dev->failures == 1 ? SIMLOG_WARN : SIMLOG_DEBUG, "connection failed",
		       "deviceId", dev->ext_id, "reason", reason_of(rc, err), NULL);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct device *dev = obj;
	(void)mosq;
	(void)mid;
	if (dev->unacked > 0)
		dev->unacked--;
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	struct device *dev = obj;
	(void)mosq;
	if (msg->payloadlen < 0 || msg->payloadlen > DEVSIM_PAYLOAD_MAX) {
		char size[24];
		snprintf(size, sizeof size, "%d", msg->payloadlen);
		simlog(SIMLOG_WARN, "payload too large, ignored", "deviceId", dev->ext_id, "topic",
		       msg->topic, "bytes", size, NULL);
		return;
	}
	device_on_message(dev, msg->topic, msg->payload ? msg->payload : "", (size_t)msg->payloadlen);
}

/* ---- public ---------------------------------------------------------------------- */

int link_init(struct device *dev)
{
	struct sim *sim = dev->sim;
	int pair[2];
	lowest_free_fds(pair);
	dev->mosq = mosquitto_new(dev->ext_id, true, dev);
	if (!dev->mosq) {
		simlog(SIMLOG_ERROR, "cannot create mqtt client", "deviceId", dev->ext_id, "reason",
		       strerror(errno), NULL);
		return -1;
	}
	shrink_wakeup_pair(pair);
	mosquitto_int_option(dev->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mosquitto_int_option(dev->mosq, MOSQ_OPT_TCP_NODELAY, 1);

	int rc = mosquitto_username_pw_set(dev->mosq, dev->ext_id, dev->token);
	if (rc == MOSQ_ERR_SUCCESS) {
		char topic[DEVSIM_TOPIC_MAX + 16];
		snprintf(topic, sizeof topic, "%sheartbeat", dev->topic_base);
		payload_heartbeat(&sim->scratch, "offline");
		rc = sim->scratch.failed ? MOSQ_ERR_NOMEM
			: mosquitto_will_set(dev->mosq, topic, (int)sim->scratch.len,
					     sim->scratch.data, 1, false);
	}
	if (rc != MOSQ_ERR_SUCCESS) {
		simlog(SIMLOG_ERROR, "cannot set up mqtt client", "deviceId", dev->ext_id, "reason",
		       mosquitto_strerror(rc), NULL);
		return -1;
	}
	mosquitto_connect_callback_set(dev->mosq, on_connect);
	mosquitto_disconnect_callback_set(dev->mosq, on_disconnect);
	mosquitto_publish_callback_set(dev->mosq, on_publish);
	mosquitto_message_callback_set(dev->mosq, on_message);
	return 0;
}

void link_destroy(struct device *dev)
{
	if (dev->mosq)
		mosquitto_destroy(dev->mosq);
	dev->mosq = NULL;
}

void link_connect(struct device *dev, int64_t now)
{
	const struct options *opt = dev->sim->opt;
	dev->connect_at = 0;
	errno = 0;
	int rc = mosquitto_connect_async(dev->mosq, opt->host, opt->port, opt->keepalive_s);
	if (rc != MOSQ_ERR_SUCCESS) {
		/* Failed before a socket existed: no on_disconnect will come. */
		const char *reason = reason_of(rc, errno);
		dev->link = LINK_IDLE;
		schedule_retry(dev, now);
		simlog(dev->failures == 1 ? SIMLOG_WARN : SIMLOG_DEBUG, "connection failed",
		       "deviceId", dev->ext_id, "reason", reason, NULL);
		return;
	}
	dev->link = LINK_CONNECTING;
}

void link_disconnect(struct device *dev)
{
	dev->connect_at = 0;
	if (dev->link == LINK_IDLE || dev->link == LINK_CLOSING)
		return;
	dev->link = LINK_CLOSING;
	int rc = mosquitto_disconnect(dev->mosq);
	if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
		simlog(SIMLOG_DEBUG, "disconnect failed", "deviceId", dev->ext_id, "reason",
		       reason_of(rc, errno), NULL);
	if (mosquitto_socket(dev->mosq) < 0 && dev->link == LINK_CLOSING)
		on_disconnect(dev->mosq, dev, MOSQ_ERR_SUCCESS);
}

void link_subscribe_own(struct device *dev)
{
	static const char *const suffixes[] = { "command", "handshake/ack" };
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char topic[DEVSIM_TOPIC_MAX + 16];
		snprintf(topic, sizeof topic, "%s%s", dev->topic_base, suffixes[i]);
		int rc = mosquitto_subscribe(dev->mosq, NULL, topic, 1);
		if (rc != MOSQ_ERR_SUCCESS)
			simlog(SIMLOG_WARN, "subscribe failed", "deviceId", dev->ext_id, "topic", topic,
			       "reason", reason_of(rc, errno), NULL);
	}
}

int link_publish(struct device *dev, const char *suffix, const struct jbuf *payload)
{
	struct sim *sim = dev->sim;
	if (!dev->online || dev->link != LINK_UP)
		return -1;
	if (payload->failed) {
		sim->n.publish_failed++;
		return -1;
	}
	if (dev->unacked >= DEVSIM_MAX_UNACKED) {
		sim->n.dropped++;
		return -1;
	}
	char topic[DEVSIM_TOPIC_MAX + 16];
	snprintf(topic, sizeof topic, "%s%s", dev->topic_base, suffix);
	/* Counted before the call: a QoS 0 publish outside a callback is written, and
	 * on_publish runs, before mosquitto_publish returns. */
	dev->unacked++;
	int rc = mosquitto_publish(dev->mosq, NULL, topic, (int)payload->len, payload->data,
				   sim->opt->qos, false);
	if (rc != MOSQ_ERR_SUCCESS) {
		const char *reason = reason_of(rc, errno);
		if (dev->unacked > 0)
			dev->unacked--;
		sim->n.publish_failed++;
		simlog(SIMLOG_DEBUG, "publish failed", "deviceId", dev->ext_id, "topic", topic,
		       "reason", reason, NULL);
		return -1;
	}
	sim->n.published++;
	if (strcmp(suffix, "state") == 0)
		sim->n.states++;
	if (simlog_enabled(SIMLOG_DEBUG))
		simlog(SIMLOG_DEBUG, "published", "deviceId", dev->ext_id, "topic", topic,
		       "payload", payload->data, NULL);
	return 0;
}

int link_socket(const struct device *dev)
{
	return dev->mosq ? mosquitto_socket(dev->mosq) : -1;
}

bool link_want_write(const struct device *dev)
{
	return dev->mosq && mosquitto_want_write(dev->mosq);
}

void link_io(struct device *dev, short revents)
{
	/* Errors reach on_disconnect through libmosquitto; the return codes add nothing. */
	if (revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))
		mosquitto_loop_read(dev->mosq, 1);
	if ((revents & POLLOUT) && mosquitto_socket(dev->mosq) >= 0)
		mosquitto_loop_write(dev->mosq, 1);
}

void link_misc(struct device *dev)
{
	if (mosquitto_socket(dev->mosq) >= 0)
		mosquitto_loop_misc(dev->mosq);
}
