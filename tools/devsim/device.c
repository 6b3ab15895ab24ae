/*
 * device.c — per-type behaviour of the simulated ESP32 devices (see device.h).
 *
 *   climate     state {temperature, humidity, pressure}, drifting slowly around a
 *               per-device base (a random walk pulled back toward the base)
 *   pir         motion comes and goes: event motion_detected / motion_cleared and
 *               state {motion}
 *   switch-pir  as pir, plus now and then a button press: event user_event
 *               button_press, state {button:true}, and {button:false} 300 ms later;
 *               with --press-interval-ms, a press on that clock instead of at random
 *               (a kit's switch driving its light, and the automations benchmark)
 *   light       state {on, brightness}; obeys toggle, turn_on, turn_off,
 *               set_brightness {brightness 0–100} and answers with its new state at
 *               once, plus turned_on / turned_off when "on" actually changes
 *
 * Every type obeys the built-in reboot (clean disconnect, a second of "boot", connect
 * and handshake again) and ota_update (ota.c); factory_reset and wifi_update are logged and not
 * simulated; any other action is logged and ignored. Every telemetry tick publishes
 * exactly one state message, so --rate counts state messages whatever the types.
 */
#include "device.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "link.h"
#include "simlog.h"

#define BUTTON_HOLD_MS 300

static const char *const type_names[DEVICE_TYPE_COUNT] = {
	[DEVICE_CLIMATE] = "climate",
	[DEVICE_PIR] = "pir",
	[DEVICE_SWITCH_PIR] = "switch-pir",
	[DEVICE_LIGHT] = "light",
};

const char *device_type_name(enum device_type type)
{
	return type_names[type];
}

int device_type_parse(const char *name, size_t len, enum device_type *out)
{
	for (int t = 0; t < DEVICE_TYPE_COUNT; t++) {
		if (strlen(type_names[t]) == len && memcmp(type_names[t], name, len) == 0) {
			*out = (enum device_type)t;
			return 0;
		}
	}
	return -1;
}

/* xorshift64*: small, fast, good enough for plausible readings. */
static uint64_t rng_next(struct device *dev)
{
	uint64_t x = dev->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	dev->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

double device_random(struct device *dev)
{
	return (double)(rng_next(dev) >> 11) * (1.0 / 9007199254740992.0);
}

static double uniform(struct device *dev, double lo, double hi)
{
	return lo + (hi - lo) * device_random(dev);
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The base each climate reading drifts around; derived from the seed, stable per device. */
struct climate_base {
	double temperature, humidity, pressure;
};

static struct climate_base climate_base_of(const struct device *dev)
{
	/* A fixed function of the seed and the device's position: it survives reboots. */
	uint64_t k = (dev->sim->opt->seed + dev->index + 1) * 0x9E3779B97F4A7C15ULL;
	k ^= k >> 29;
	struct climate_base b = {
		.temperature = 19.0 + (double)(k % 61) / 10.0,        /* 19.0–25.0 °C */
		.humidity = 35.0 + (double)((k >> 8) % 26),            /* 35–60 % */
		.pressure = 1003.0 + (double)((k >> 16) % 201) / 10.0, /* 1003–1023 hPa */
	};
	return b;
}

void device_init(struct device *dev, uint64_t seed)
{
	/* splitmix64 of seed and index: distinct, never-zero streams per device. */
	uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (dev->index + 1);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	dev->rng = z ? z : 0x1234567887654321ULL;

	struct climate_base b = climate_base_of(dev);
	dev->temperature = b.temperature + uniform(dev, -0.5, 0.5);
	dev->humidity = b.humidity + uniform(dev, -2.0, 2.0);
	dev->pressure = b.pressure + uniform(dev, -1.0, 1.0);
	dev->motion = false;
	dev->button = false;
	dev->on = false;
	dev->brightness = 100;
}

/* ---- publishing ---------------------------------------------------------------- */

static void publish_state(struct device *dev)
{
	struct jbuf *b = &dev->sim->scratch;
	payload_state_begin(b);
	switch (dev->type) {
	case DEVICE_CLIMATE:
		payload_state_number(b, "temperature", dev->temperature, 1);
		payload_state_number(b, "humidity", dev->humidity, 1);
		payload_state_number(b, "pressure", dev->pressure, 1);
		break;
	case DEVICE_PIR:
		payload_state_bool(b, "motion", dev->motion);
		break;
	case DEVICE_SWITCH_PIR:
		payload_state_bool(b, "motion", dev->motion);
		payload_state_bool(b, "button", dev->button);
		break;
	case DEVICE_LIGHT:
		payload_state_bool(b, "on", dev->on);
		payload_state_number(b, "brightness", dev->brightness, 0);
		break;
	case DEVICE_TYPE_COUNT:
		break;
	}
	/* A number is used up only by a message that went out: the published ones are 1…N. */
	if (dev->sim->opt->sequence)
		payload_state_number(b, "seq", (double)(dev->state_seq + 1), 0);
	payload_state_end(b);
	if (link_publish(dev, "state", b) == 0 && dev->sim->opt->sequence)
		dev->state_seq++;
}

static void publish_event(struct device *dev, const char *event, const char *action)
{
	struct jbuf *b = &dev->sim->scratch;
	bool sequence = dev->sim->opt->sequence;
	payload_event(b, event, action, sequence ? dev->event_seq + 1 : 0);
	if (link_publish(dev, "event", b) == 0 && sequence)
		dev->event_seq++;
}

static void publish_heartbeat(struct device *dev)
{
	struct jbuf *b = &dev->sim->scratch;
	payload_heartbeat(b, "online");
	link_publish(dev, "heartbeat", b);
}

static void publish_handshake(struct device *dev)
{
	const struct options *opt = dev->sim->opt;
	struct jbuf *b = &dev->sim->scratch;
	const char *kit_tag = dev->kit_tag ? dev->kit_tag : opt->kit_tag;
	payload_handshake(b, device_type_name(dev->type),
			  dev->firmware_version[0] ? dev->firmware_version : opt->firmware_version, opt->chip, kit_tag);
	link_publish(dev, "handshake", b);
}

/* ---- session ------------------------------------------------------------------- */

void device_on_connected(struct device *dev, int64_t now)
{
	const struct options *opt = dev->sim->opt;
	link_subscribe_own(dev);
	publish_handshake(dev);
	publish_heartbeat(dev);
	publish_state(dev);
	dev->heartbeat_at = now + (int64_t)opt->heartbeat_interval_s * 1000;
	/* Spread the fleet's ticks over one interval; --rate schedules ticks itself. */
	dev->telemetry_at = opt->rate > 0 ? 0
		: now + 1 + (int64_t)(device_random(dev) * opt->telemetry_interval_ms);
	dev->press_at = opt->press_interval_ms && dev->type == DEVICE_SWITCH_PIR ? now + opt->press_interval_ms : 0;
}

void device_on_disconnected(struct device *dev)
{
	dev->heartbeat_at = 0;
	dev->telemetry_at = 0;
	dev->button_release_at = 0;
	dev->button = false;
	dev->press_at = 0;
}

/* ---- readings ------------------------------------------------------------------ */

static void climate_drift(struct device *dev)
{
	struct climate_base b = climate_base_of(dev);
	dev->temperature += 0.1 * (b.temperature - dev->temperature) + uniform(dev, -0.3, 0.3);
	dev->humidity += 0.1 * (b.humidity - dev->humidity) + uniform(dev, -1.0, 1.0);
	dev->pressure += 0.1 * (b.pressure - dev->pressure) + uniform(dev, -0.4, 0.4);
	dev->temperature = clamp(dev->temperature, 5.0, 40.0);
	dev->humidity = clamp(dev->humidity, 10.0, 95.0);
	dev->pressure = clamp(dev->pressure, 970.0, 1050.0);
}

/* Motion starts on about a third of the ticks and clears on half of them. */
static void motion_step(struct device *dev)
{
	if (!dev->motion && device_random(dev) < 0.33) {
		dev->motion = true;
		publish_event(dev, "device_event", "motion_detected");
	} else if (dev->motion && device_random(dev) < 0.5) {
		dev->motion = false;
		publish_event(dev, "device_event", "motion_cleared");
	}
}

void device_report(struct device *dev, int64_t now)
{
	switch (dev->type) {
	case DEVICE_CLIMATE:
		climate_drift(dev);
		break;
	case DEVICE_PIR:
		motion_step(dev);
		break;
	case DEVICE_SWITCH_PIR:
		motion_step(dev);
		if (!dev->sim->opt->press_interval_ms && !dev->button && device_random(dev) < 0.2) {
			dev->button = true;
			dev->button_release_at = now + BUTTON_HOLD_MS;
			publish_event(dev, "user_event", "button_press");
		}
		break;
	case DEVICE_LIGHT:
	case DEVICE_TYPE_COUNT:
		break;
	}
	publish_state(dev);
}

static int64_t earliest(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

int64_t device_run_timers(struct device *dev, int64_t now)
{
	const struct options *opt = dev->sim->opt;
	if (!dev->online)
		return 0;
	if (dev->heartbeat_at && dev->heartbeat_at <= now) {
		publish_heartbeat(dev);
		dev->heartbeat_at = now + (int64_t)opt->heartbeat_interval_s * 1000;
	}
	if (dev->telemetry_at && dev->telemetry_at <= now) {
		device_report(dev, now);
		dev->telemetry_at += opt->telemetry_interval_ms;
		if (dev->telemetry_at <= now) /* fell behind: do not burst to catch up */
			dev->telemetry_at = now + opt->telemetry_interval_ms;
	}
	if (dev->press_at && dev->press_at <= now) {
		dev->press_at += opt->press_interval_ms;
		if (dev->press_at <= now) /* fell behind: do not burst to catch up */
			dev->press_at = now + opt->press_interval_ms;
		dev->button = true;
		dev->button_release_at = now + BUTTON_HOLD_MS;
		simlog(SIMLOG_INFO, "button pressed", "deviceId", dev->ext_id, NULL);
		publish_event(dev, "user_event", "button_press");
		publish_state(dev);
	}
	if (dev->button_release_at && dev->button_release_at <= now) {
		dev->button_release_at = 0;
		dev->button = false;
		struct jbuf *b = &dev->sim->scratch;
		payload_state_begin(b);
		payload_state_bool(b, "button", false);
		payload_state_end(b);
		link_publish(dev, "state", b);
	}
	return earliest(earliest(earliest(dev->heartbeat_at, dev->telemetry_at), dev->button_release_at), dev->press_at);
}

/* ---- commands ------------------------------------------------------------------ */

static void light_set_on(struct device *dev, bool on, bool *changed)
{
	if (dev->on != on)
		*changed = true;
	dev->on = on;
}

/* Returns false when the action is not one of the light's commands. */
static bool light_command(struct device *dev, const struct command *cmd)
{
	bool changed = false;
	if (strcmp(cmd->action, "toggle") == 0) {
		light_set_on(dev, !dev->on, &changed);
	} else if (strcmp(cmd->action, "turn_on") == 0) {
		light_set_on(dev, true, &changed);
	} else if (strcmp(cmd->action, "turn_off") == 0) {
		light_set_on(dev, false, &changed);
	} else if (strcmp(cmd->action, "set_brightness") == 0) {
		if (!cmd->brightness_ok) {
			simlog(SIMLOG_WARN, "command ignored: brightness: must be a number from 0 to 100",
			       "deviceId", dev->ext_id, "action", cmd->action, NULL);
			return true;
		}
		dev->brightness = cmd->brightness;
	} else {
		return false;
	}
	publish_state(dev);
	if (changed)
		publish_event(dev, "device_event", dev->on ? "turned_on" : "turned_off");
	return true;
}

static void run_command(struct device *dev, const struct command *cmd)
{
	simlog(SIMLOG_INFO, "command received", "deviceId", dev->ext_id, "action", cmd->action, NULL);
	if (strcmp(cmd->action, "reboot") == 0) {
		dev->reboot_pending = true;
		link_disconnect(dev);
		return;
	}
	if (strcmp(cmd->action, "ota_update") == 0) {
		ota_start(dev, cmd);
		return;
	}
	if (strcmp(cmd->action, "factory_reset") == 0 ||
	    strcmp(cmd->action, "wifi_update") == 0) {
		simlog(SIMLOG_INFO, "built-in command not simulated", "deviceId", dev->ext_id,
		       "action", cmd->action, NULL);
		return;
	}
	if (dev->type == DEVICE_LIGHT && light_command(dev, cmd))
		return;
	simlog(SIMLOG_WARN, "unknown command ignored", "deviceId", dev->ext_id,
	       "deviceType", device_type_name(dev->type), "action", cmd->action, NULL);
}

static void handle_ack(struct device *dev, struct json_object *obj)
{
	struct json_object *status = NULL;
	const char *s = NULL;
	if (obj && json_object_is_type(obj, json_type_object) &&
	    json_object_object_get_ex(obj, "status", &status) &&
	    json_object_is_type(status, json_type_string))
		s = json_object_get_string(status);
	if (s && strcmp(s, "ok") == 0)
		simlog(SIMLOG_DEBUG, "handshake accepted", "deviceId", dev->ext_id, NULL);
	else if (s && strcmp(s, "unknown_device") == 0)
		simlog(SIMLOG_WARN, "handshake rejected: unknown device", "deviceId", dev->ext_id, NULL);
	else
		simlog(SIMLOG_WARN, "handshake ack not understood", "deviceId", dev->ext_id, NULL);
}

/* Does topic equal topic_base + suffix? */
static bool is_own_topic(const struct device *dev, const char *topic, const char *suffix)
{
	size_t n = strlen(dev->topic_base);
	return strncmp(topic, dev->topic_base, n) == 0 && strcmp(topic + n, suffix) == 0;
}

void device_on_message(struct device *dev, const char *topic, const void *payload, size_t len)
{
	struct sim *sim = dev->sim;
	bool is_command = is_own_topic(dev, topic, "command");
	bool is_ack = !is_command && is_own_topic(dev, topic, "handshake/ack");
	if (!is_command && !is_ack) {
		simlog(SIMLOG_WARN, "message on an unexpected topic ignored", "deviceId", dev->ext_id,
		       "topic", topic, NULL);
		return;
	}
	struct json_object *obj = payload_parse(payload, len);
	if (sim->opt->print_commands)
		payload_print_received(&sim->scratch, dev->ext_id, topic, obj, payload, len);
	if (is_ack) {
		sim->n.acks++;
		handle_ack(dev, obj);
	} else {
		sim->n.commands++;
		struct command cmd;
		if (!obj)
			simlog(SIMLOG_WARN, "command ignored: payload is not JSON", "deviceId",
			       dev->ext_id, NULL);
		else if (payload_command(obj, &cmd) != 0)
			simlog(SIMLOG_WARN, "command ignored: action: must be a string", "deviceId",
			       dev->ext_id, NULL);
		else
			run_command(dev, &cmd);
	}
	json_object_put(obj);
}
