/*
 * device.h — what each simulated device type does: the handshake, heartbeats, the
 * readings it reports and the commands it obeys (SPEC §5, the built-in registry of §4).
 *
 * Nothing here touches a socket: a device speaks through link_publish() and hears what
 * link.c hands it.
 */
#ifndef DEVSIM_DEVICE_H
#define DEVSIM_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "devsim.h"

const char *device_type_name(enum device_type type);
/* 0 and *out set when name (len bytes) is climate, pir, switch-pir or light. */
int device_type_parse(const char *name, size_t len, enum device_type *out);

/* Start values of the simulated hardware; seed makes a run reproducible. */
void device_init(struct device *dev, uint64_t seed);
/* A uniformly distributed number in [0, 1) from the device's own generator. */
double device_random(struct device *dev);

/* CONNACK accepted: subscribe, handshake, first heartbeat, full state. */
void device_on_connected(struct device *dev, int64_t now);
/* The link lost its session: forget what only lives while connected. */
void device_on_disconnected(struct device *dev);
/* A message on one of the device's own topics (payload at most DEVSIM_PAYLOAD_MAX). */
void device_on_message(struct device *dev, const char *topic, const void *payload, size_t len);
/* Due heartbeats, telemetry and button releases; returns the next deadline, 0 if none. */
int64_t device_run_timers(struct device *dev, int64_t now);
/* One telemetry tick: new readings, exactly one state message (and any events). */
void device_report(struct device *dev, int64_t now);

#endif
