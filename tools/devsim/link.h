/*
 * link.h — one device's MQTT session: a libmosquitto client with the device's
 * credentials and Last Will, driven from devsim's poll() loop (never by a library
 * thread) through link_socket / link_want_write / link_io / link_misc.
 */
#ifndef DEVSIM_LINK_H
#define DEVSIM_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "devsim.h"

/* Create the client: client id and username = external id, password = token, Last
 * Will {"status":"offline"} on …/heartbeat (QoS 1, not retained). */
int link_init(struct device *dev);
void link_destroy(struct device *dev);

/* One connection attempt (non-blocking); a failure schedules the next with backoff. */
void link_connect(struct device *dev, int64_t now);
/* Send DISCONNECT (the broker then drops the Last Will) and close. */
void link_disconnect(struct device *dev);

/* Subscribe to the device's own …/command and …/handshake/ack. */
void link_subscribe_own(struct device *dev);
/* Publish payload on <topic_base><suffix>; -1 when not connected, over the queue
 * bound (counted as dropped) or refused by the library. */
int link_publish(struct device *dev, const char *suffix, const struct jbuf *payload);

int link_socket(const struct device *dev);
bool link_want_write(const struct device *dev);
/* Service the socket after poll() reported revents on it. */
void link_io(struct device *dev, short revents);
/* Keepalive pings and timeouts; call about once a second. */
void link_misc(struct device *dev);

#endif
