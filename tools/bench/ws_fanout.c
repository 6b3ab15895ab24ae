/*
 * ws_fanout.c — the client side of the WebSocket benchmark (tools/bench/ws): many
 * WebSocket clients in one libwebsockets loop and, for the fan-out run, devices
 * publishing state over MQTT. A measuring instrument, not part of the station; it links
 * libwebsockets, libmosquitto and json-c, not libstation.
 *
 * Idle run (--hold S): connects --clients N, holds them S seconds (answering the
 * server's pings) and reports how many stayed connected.
 *
 * Fan-out run (--credentials FILE): connects the clients, then the devices of FILE
 * (lines "externalId type token", as devsim reads them) publish --rate state messages/s
 * in turn for --duration seconds. Each state carries {"benchSeq":n,"benchSentUs":t}, t
 * being this process's CLOCK_MONOTONIC when it was handed to libmosquitto; every
 * device.stateChanged a client receives that carries a benchSentUs is one latency sample
 * (MQTT publish → broker → mqttd → PostgreSQL NOTIFY → wsd → nginx → client).
 *
 * With --watch-pid PID (station-wsd) it reports that process's RSS and PSS
 * (/proc/PID/smaps_rollup) before the clients connect, once they are all connected and
 * at the end, and its CPU during the publishing.
 *
 * Threads: the main thread runs the lws loop and does all the measuring; each device's
 * libmosquitto connection has its own network thread (mosquitto_loop_start), and one
 * publisher thread paces the publishing. They share only atomics.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libwebsockets.h>
#include <mosquitto.h>

#define CONNECT_WINDOW 32   /* handshakes in flight at once */
#define TICK_US (20 * 1000) /* the loop's own timer */
#define DRAIN_SECS 3        /* after the last publish, for the last pushes to arrive */
#define CONNECT_TIMEOUT_SECS 30
#define MESSAGE_MAX 8192    /* pushes are far smaller; a longer message is skipped */

struct options {
	const char *host, *path, *token, *credentials, *station_id, *mqtt_host;
	int port, mqtt_port, clients, rate, duration, hold, watch_pid;
};

struct client {
	struct lws *wsi;
	bool open;
	long received; /* samples: device.stateChanged carrying benchSentUs */
	size_t len;    /* bytes of a message arriving in fragments */
	char buf[MESSAGE_MAX];
};

struct device {
	char ext_id[128], token[128], topic[300];
	struct mosquitto *mosq;
	atomic_bool connected;
};

enum phase { CONNECTING, HOLDING, PUBLISHING, DRAINING, DONE };

static struct bench {
	struct options opt;
	struct lws_context *context;
	lws_sorted_usec_list_t tick;
	enum phase phase;
	long long phase_started_us;
	struct client *clients;
	int next_client, pending, established, failed, closed_by_server;
	uint32_t *samples; /* µs */
	size_t nsamples, samples_cap, samples_lost;
	struct device *devices;
	int ndevices;
	pthread_t publisher;
	atomic_long published;
	atomic_bool publishing_done;
	long long wsd_cpu_ticks0, publish_started_us, publish_ended_us;
} b;

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void fail(const char *what)
{
	fprintf(stderr, "ws_fanout: %s\n", what);
	exit(1);
}

/* --- the watched process ------------------------------------------------------------ */

static long smaps_kb(const char *field)
{
	char path[64], line[256];
	long kb = -1;
	size_t n = strlen(field);
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", b.opt.watch_pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

static long long cpu_ticks(void)
{
	char path[64], line[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", b.opt.watch_pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *p = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
	fclose(f);
	long long utime = 0, stime = 0;
	/* after "pid (comm)": state is field 3; utime and stime are fields 14 and 15 */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", &utime, &stime) != 2)
		return -1;
	return utime + stime;
}

static void report_memory(const char *when)
{
	if (b.opt.watch_pid)
		printf("watched process %s: RSS %ld kB, PSS %ld kB\n", when, smaps_kb("Rss"), smaps_kb("Pss"));
}

/* --- WebSocket clients ---------------------------------------------------------------- */

/* One complete message: a latency sample when it is a benchmark state. */
static void on_message(struct client *c)
{
	long long arrived = now_us();
	c->buf[c->len] = '\0';
	struct json_object *msg = json_tokener_parse(c->buf), *type, *data, *state, *sent;
	if (msg && json_object_object_get_ex(msg, "type", &type) &&
	    strcmp(json_object_get_string(type), "device.stateChanged") == 0 &&
	    json_object_object_get_ex(msg, "data", &data) && json_object_object_get_ex(data, "state", &state) &&
	    json_object_object_get_ex(state, "benchSentUs", &sent)) {
		long long latency = arrived - json_object_get_int64(sent);
		c->received++;
		if (b.nsamples < b.samples_cap)
			b.samples[b.nsamples++] = latency < 0 ? 0 : (uint32_t)latency;
		else
			b.samples_lost++;
	}
	json_object_put(msg);
}

static int client_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct client *c = lws_get_opaque_user_data(wsi);
	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->open = true;
		b.pending--;
		b.established++;
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "ws_fanout: connection failed: %s\n", in ? (const char *)in : "?");
		c->wsi = NULL;
		b.pending--;
		b.failed++;
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (c->len + len >= sizeof c->buf) {
			c->len = 0; /* not a message of ours: forget it */
			break;
		}
		memcpy(c->buf + c->len, in, len);
		c->len += len;
		if (lws_is_final_fragment(wsi)) {
			on_message(c);
			c->len = 0;
		}
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (c && c->open && b.phase != DONE)
			b.closed_by_server++;
		if (c) {
			c->open = false;
			c->wsi = NULL;
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ .name = "ws-fanout", .callback = client_callback, .rx_buffer_size = 4096 },
	{ 0 }
};

static void connect_more(void)
{
	while (b.next_client < b.opt.clients && b.pending < CONNECT_WINDOW) {
		struct client *c = &b.clients[b.next_client++];
		static char path[4096];
		snprintf(path, sizeof path, "%s?token=%s", b.opt.path, b.opt.token);
		struct lws_client_connect_info ci = {
			.context = b.context,
			.address = b.opt.host,
			.port = b.opt.port,
			.path = path,
			.host = b.opt.host,
			.protocol = NULL,
			.local_protocol_name = protocols[0].name,
			.opaque_user_data = c,
			.pwsi = &c->wsi,
		};
		b.pending++;
		if (!lws_client_connect_via_info(&ci)) {
			b.pending--;
			b.failed++;
		}
	}
}

/* --- devices and the publisher -------------------------------------------------------- */

static void on_mqtt_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct device *d = obj;
	(void)mosq;
	if (rc != 0)
		fprintf(stderr, "ws_fanout: device %s refused by the broker: %s\n", d->ext_id, mosquitto_connack_string(rc));
	else
		atomic_store(&d->connected, true);
}

static void read_credentials(void)
{
	FILE *f = fopen(b.opt.credentials, "r");
	if (!f)
		fail("cannot read --credentials");
	char line[512], ext[128], type[64], token[128];
	int cap = 0;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%127s %63s %127s", ext, type, token) != 3)
			continue;
		if (b.ndevices == cap) {
			cap = cap ? cap * 2 : 16;
			b.devices = realloc(b.devices, (size_t)cap * sizeof *b.devices);
			if (!b.devices)
				fail("out of memory");
		}
		struct device *d = &b.devices[b.ndevices++];
		memset(d, 0, sizeof *d);
		snprintf(d->ext_id, sizeof d->ext_id, "%s", ext);
		snprintf(d->token, sizeof d->token, "%s", token);
		snprintf(d->topic, sizeof d->topic, "station/%s/device/%s/state", b.opt.station_id, ext);
	}
	fclose(f);
	if (b.ndevices == 0)
		fail("--credentials lists no device");
}

static void connect_devices(void)
{
	for (int i = 0; i < b.ndevices; i++) {
		struct device *d = &b.devices[i];
		d->mosq = mosquitto_new(d->ext_id, true, d);
		if (!d->mosq)
			fail("mosquitto_new failed");
		mosquitto_int_option(d->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
		mosquitto_int_option(d->mosq, MOSQ_OPT_TCP_NODELAY, 1);
		mosquitto_username_pw_set(d->mosq, d->ext_id, d->token);
		mosquitto_connect_callback_set(d->mosq, on_mqtt_connect);
		if (mosquitto_connect_async(d->mosq, b.opt.mqtt_host, b.opt.mqtt_port, 60) != MOSQ_ERR_SUCCESS ||
		    mosquitto_loop_start(d->mosq) != MOSQ_ERR_SUCCESS)
			fail("cannot connect a device to the broker");
	}
}

static bool devices_connected(void)
{
	for (int i = 0; i < b.ndevices; i++)
		if (!atomic_load(&b.devices[i].connected))
			return false;
	return true;
}

/* Publishes rate messages/s, devices in turn, at absolute times (no drift). */
static void *publish(void *arg)
{
	(void)arg;
	long total = (long)b.opt.rate * b.opt.duration;
	long long period_ns = 1000000000LL / b.opt.rate;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long n = 1; n <= total; n++) {
		struct device *d = &b.devices[n % b.ndevices];
		char payload[128];
		int len = snprintf(payload, sizeof payload, "{\"state\":{\"benchSeq\":%ld,\"benchSentUs\":%lld}}", n,
				   now_us());
		if (mosquitto_publish(d->mosq, NULL, d->topic, len, payload, 1, false) == MOSQ_ERR_SUCCESS)
			atomic_fetch_add(&b.published, 1);
		long long t = (long long)next.tv_nsec + period_ns;
		next.tv_sec += t / 1000000000LL;
		next.tv_nsec = t % 1000000000LL;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	atomic_store(&b.publishing_done, true);
	return NULL;
}

/* --- the run ---------------------------------------------------------------------------- */

static void enter(enum phase p)
{
	b.phase = p;
	b.phase_started_us = now_us();
}

static double elapsed_s(void)
{
	return (double)(now_us() - b.phase_started_us) / 1e6;
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
	switch (b.phase) {
	case CONNECTING:
		connect_more();
		if (b.established + b.failed < b.opt.clients && elapsed_s() < CONNECT_TIMEOUT_SECS)
			break;
		printf("clients: %d connected, %d failed\n", b.established, b.failed);
		report_memory(b.opt.credentials ? "with the clients connected" : "with the clients connected, idle");
		if (!b.opt.credentials) {
			enter(HOLDING);
			break;
		}
		connect_devices();
		enter(PUBLISHING);
		break;
	case HOLDING:
		if (elapsed_s() < b.opt.hold)
			break;
		printf("after %d s idle: %d still connected, %d closed by the server\n", b.opt.hold,
		       b.established - b.closed_by_server, b.closed_by_server);
		report_memory("after the idle hold");
		enter(DONE);
		break;
	case PUBLISHING:
		if (!b.publish_started_us) {
			if (!devices_connected()) {
				if (elapsed_s() > CONNECT_TIMEOUT_SECS)
					fail("devices did not connect to the broker");
				break;
			}
			if (elapsed_s() < 1) /* their first state also turns them online: let it settle */
				break;
			b.wsd_cpu_ticks0 = b.opt.watch_pid ? cpu_ticks() : 0;
			b.publish_started_us = now_us();
			if (pthread_create(&b.publisher, NULL, publish, NULL) != 0)
				fail("cannot start the publisher thread");
			break;
		}
		if (atomic_load(&b.publishing_done)) {
			b.publish_ended_us = now_us();
			enter(DRAINING);
		}
		break;
	case DRAINING:
		if (elapsed_s() >= DRAIN_SECS)
			enter(DONE);
		break;
	case DONE:
		return;
	}
	lws_sul_schedule(b.context, 0, sul, on_tick, TICK_US);
}

static int compare_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, c = *(const uint32_t *)y;
	return a < c ? -1 : a > c;
}

static double percentile_ms(double p)
{
	size_t i = (size_t)(p * (double)(b.nsamples - 1) + 0.5);
	return b.samples[i] / 1000.0;
}

static void report_fanout(void)
{
	long published = atomic_load(&b.published);
	double secs = (double)(b.publish_ended_us - b.publish_started_us) / 1e6;
	long min = -1, max = 0;
	for (int i = 0; i < b.opt.clients; i++) {
		if (!b.clients[i].open && b.clients[i].received == 0)
			continue;
		long r = b.clients[i].received;
		min = min < 0 || r < min ? r : min;
		max = r > max ? r : max;
	}
	printf("published: %ld states from %d devices in %.1f s (%.0f/s)\n", published, b.ndevices, secs,
	       secs > 0 ? published / secs : 0);
	printf("received per client: %ld to %ld of %ld (fewer: states of one device merged by mqttd's batch)\n",
	       min < 0 ? 0 : min, max, published);
	printf("clients closed by the server during the run: %d\n", b.closed_by_server);
	if (b.nsamples == 0) {
		printf("latency: no sample\n");
		return;
	}
	qsort(b.samples, b.nsamples, sizeof *b.samples, compare_u32);
	printf("latency publish→client over %zu samples: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
	       b.nsamples, percentile_ms(0.50), percentile_ms(0.90), percentile_ms(0.99), b.samples[b.nsamples - 1] / 1000.0);
	if (b.samples_lost)
		printf("(%zu samples beyond the buffer not counted)\n", b.samples_lost);
	if (b.opt.watch_pid) {
		long long ticks = cpu_ticks() - b.wsd_cpu_ticks0;
		printf("watched process CPU while publishing: %.0f %% of one core\n",
		       100.0 * (double)ticks / (double)sysconf(_SC_CLK_TCK) / secs);
	}
}

static const char usage_text[] =
	"usage: ws_fanout --token JWT [--host H] [--port P] [--path /ws] [--clients N]\n"
	"                 [--watch-pid PID] (--hold S | --credentials FILE --station-id ID\n"
	"                 [--mqtt-host H] [--mqtt-port P] [--rate N] [--duration S])\n";

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },       { "port", required_argument, NULL, 'p' },
		{ "path", required_argument, NULL, 'P' },       { "token", required_argument, NULL, 't' },
		{ "clients", required_argument, NULL, 'c' },    { "watch-pid", required_argument, NULL, 'w' },
		{ "hold", required_argument, NULL, 'h' },       { "credentials", required_argument, NULL, 'C' },
		{ "station-id", required_argument, NULL, 's' }, { "mqtt-host", required_argument, NULL, 'm' },
		{ "mqtt-port", required_argument, NULL, 'M' },  { "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },   { NULL, 0, NULL, 0 },
	};
	struct options *o = &b.opt;
	*o = (struct options){ .host = "127.0.0.1", .port = 8080, .path = "/ws", .clients = 100,
			       .mqtt_host = "127.0.0.1", .mqtt_port = 1883, .rate = 200, .duration = 10 };
	int ch;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': o->host = optarg; break;
		case 'p': o->port = atoi(optarg); break;
		case 'P': o->path = optarg; break;
		case 't': o->token = optarg; break;
		case 'c': o->clients = atoi(optarg); break;
		case 'w': o->watch_pid = atoi(optarg); break;
		case 'h': o->hold = atoi(optarg); break;
		case 'C': o->credentials = optarg; break;
		case 's': o->station_id = optarg; break;
		case 'm': o->mqtt_host = optarg; break;
		case 'M': o->mqtt_port = atoi(optarg); break;
		case 'r': o->rate = atoi(optarg); break;
		case 'd': o->duration = atoi(optarg); break;
		default: fputs(usage_text, stderr); exit(2);
		}
	}
	if (!o->token || o->clients < 1 || o->rate < 1 || o->duration < 1 || (!o->credentials && o->hold < 1) ||
	    (o->credentials && !o->station_id)) {
		fputs(usage_text, stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	parse_options(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* a descriptor per client, three per device (socket and libmosquitto's wake-up pair) */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	b.clients = calloc((size_t)b.opt.clients, sizeof *b.clients);
	if (!b.clients)
		fail("out of memory");
	if (b.opt.credentials) {
		read_credentials();
		b.samples_cap = (size_t)b.opt.clients * ((size_t)b.opt.rate * (size_t)b.opt.duration + 16);
		b.samples = malloc(b.samples_cap * sizeof *b.samples);
		if (!b.samples)
			fail("out of memory");
		mosquitto_lib_init();
	}

	lws_set_log_level(LLL_ERR, NULL);
	struct lws_context_creation_info info = {
		.port = CONTEXT_PORT_NO_LISTEN,
		.protocols = protocols,
		.gid = -1,
		.uid = -1,
	};
	b.context = lws_create_context(&info);
	if (!b.context)
		fail("cannot create the libwebsockets context");

	report_memory("before the clients connect");
	enter(CONNECTING);
	lws_sul_schedule(b.context, 0, &b.tick, on_tick, 1);
	while (b.phase != DONE)
		if (lws_service(b.context, 0) < 0)
			break;

	if (b.opt.credentials) {
		report_fanout();
		report_memory("at the end");
		if (b.publish_started_us)
			pthread_join(b.publisher, NULL);
		for (int i = 0; i < b.ndevices; i++) {
			mosquitto_disconnect(b.devices[i].mosq);
			mosquitto_loop_stop(b.devices[i].mosq, false);
			mosquitto_destroy(b.devices[i].mosq);
		}
		mosquitto_lib_cleanup();
	}
	lws_context_destroy(b.context);
	free(b.samples);
	free(b.devices);
	free(b.clients);
	return 0;
}
