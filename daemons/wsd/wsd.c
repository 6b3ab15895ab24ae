/*
 * wsd.c — station-wsd: WebSocket push to the browsers, fed by LISTEN station_events
 * (SPEC §6, ARCHITECTURE.md "Postgres is the bus").
 *
 * main() reads the configuration and the JWT secret (a missing secret is fatal, said on
 * stderr, exit 1), makes one libwebsockets context listening on ws.listen:ws.port
 * (loopback: nginx proxies /ws here), starts the database listener and the membership
 * sweep, and runs the one service loop until SIGTERM or SIGINT. The database being down
 * at start is not fatal: wsd serves, refusing upgrades with 1011, and connects as soon
 * as it can. On a stop signal every client is closed with 1001 "server shutting down",
 * the loop runs until they are gone (at most SHUTDOWN_WAIT_MS), and wsd exits 0.
 *
 * Exit status: 0 stopped by a signal, 1 cannot run (secret, listening socket),
 * 2 bad configuration. Must never start a thread or a second loop, and never log a token.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "config.h"
#include "log.h"
#include "stop_signal.h"
#include "timeutil.h"
#include "wsd.h"

/* How long a stop waits for clients to acknowledge their close frames. */
#define SHUTDOWN_WAIT_MS 3000
/* Descriptors beyond the clients: listening socket, database, lws' event pipe, stdio. */
#define FD_HEADROOM 64

enum { EXIT_STOPPED = 0, EXIT_CANNOT_RUN = 1, EXIT_CONFIG = 2 };

static volatile sig_atomic_t stop_requested;
static struct lws_context *signal_context;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
	if (signal_context)
		lws_cancel_service(signal_context); /* wakes poll(): a write to lws' event pipe */
}

struct wsd *wsd_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

/* libwebsockets' own messages, through our logger. */
static void lws_log_emit(int level, const char *line)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	log_write(level == LLL_ERR ? LOG_ERROR : LOG_WARN, "libwebsockets: %.*s", (int)n, line);
}

/* Enough descriptors for ws.max_clients; a lower hard limit lowers the effective bound. */
static void ensure_fd_limit(struct wsd *w)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)w->max_clients + FD_HEADROOM;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want) {
		size_t fit = rl.rlim_cur > FD_HEADROOM ? (size_t)(rl.rlim_cur - FD_HEADROOM) : 1;
		log_warn("ws.max_clients %zu exceeds the descriptor limit; serving at most %zu clients", w->max_clients,
			 fit);
		w->max_clients = fit;
	}
}

static const struct lws_protocols protocols[] = {
	/* [0]: every upgrade (browsers send no subprotocol) and stray plain HTTP */
	{ .name = "station-events", .callback = session_callback, .per_session_data_size = sizeof(struct client),
	  .rx_buffer_size = WSD_RX_CHUNK },
	/* [1]: the adopted libpq socket */
	{ .name = "station-db", .callback = listener_callback },
	{ 0 },
};

/* While stopping, wakes the loop every 100 ms so that the wait for closes is bounded. */
static void on_shutdown_tick(lws_sorted_usec_list_t *sul)
{
	struct wsd *w = lws_container_of(sul, struct wsd, tick);
	lws_sul_schedule(w->context, 0, &w->tick, on_shutdown_tick, 100 * LWS_US_PER_MS);
}

int main(int argc, char **argv)
{
	log_init("wsd");
	if (argc > 1) {
		fprintf(stderr, "usage: station-wsd   (configuration: $STATION_CONFIG, see station-migrate --print-config)\n");
		return strcmp(argv[1], "--help") == 0 ? EXIT_STOPPED : EXIT_CONFIG;
	}
	if (cfg_load() != 0)
		return EXIT_CONFIG;

	struct wsd w = { 0 };
	w.jwt_secret = cfg_read_secret("auth.jwt_secret_file", CFG_SECRET_MIN_LENGTH);
	if (!w.jwt_secret) {
		log_error("cannot start without the JWT secret (auth.jwt_secret_file)");
		return EXIT_CANNOT_RUN;
	}
	w.allowed_origins = cfg_string("http.allowed_origins");
	const char *listen_address = cfg_string("ws.listen");
	int port = (int)cfg_int("ws.port");
	w.queue_limit = (size_t)cfg_int("ws.queue_limit");
	w.ping_interval = (int)cfg_int("ws.ping_interval");
	w.max_clients = (size_t)cfg_int("ws.max_clients");
	w.session_max_days = cfg_int("auth.session_max_days");
	ensure_fd_limit(&w);

	/* From here a stop signal ends the run cleanly, whenever it comes. */
	stop_signal_handle(on_stop_signal);

	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_emit);

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = port;
	info.iface = listen_address;
	info.protocols = protocols;
	info.user = &w;
	info.gid = -1;
	info.uid = -1;
	info.fd_limit_per_thread = (unsigned)(w.max_clients + FD_HEADROOM);
	info.max_http_header_data = 8192; /* Cookie headers can be long */
	info.timeout_secs = 10;            /* an upgrade that does not complete */
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	w.context = lws_create_context(&info);
	if (!w.context) {
		log_error("cannot listen on %s:%d; not starting", listen_address, port);
		return EXIT_CANNOT_RUN;
	}
	w.vhost = lws_get_vhost_by_name(w.context, "default");
	w.arena = arena_new();

	signal_context = w.context;

	log_info("listening on %s:%d (queue limit %zu, ping every %d s, at most %zu clients)", listen_address, port,
		 w.queue_limit, w.ping_interval, w.max_clients);
	listener_start(&w);
	clients_start(&w);

	while (!stop_requested)
		if (lws_service(w.context, 0) < 0)
			break;

	log_info("stopping: closing %zu clients", w.nclients);
	w.stopping = true;
	clients_stop(&w);
	clients_close_all(&w, WS_CLOSE_GOING_AWAY, "server shutting down");
	on_shutdown_tick(&w.tick);
	long long deadline = time_monotonic_ms() + SHUTDOWN_WAIT_MS;
	while (w.nconnections > 0 && time_monotonic_ms() < deadline)
		if (lws_service(w.context, 0) < 0)
			break;
	lws_sul_cancel(&w.tick);
	listener_stop(&w);
	lws_context_destroy(w.context);
	listener_free(&w);
	arena_destroy(w.arena);
	log_info("stopped");
	return EXIT_STOPPED;
}
