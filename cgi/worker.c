/*
 * worker.c — a REST module's program: configuration and secrets at start, then it
 * becomes the module's supervisor (exec of station-supervise, supervisor.c, under the
 * module's name), which starts request processes on demand by running this program
 * again with a scoreboard slot in the environment; this file is also the life of one
 * such process: accept, answer, and leave when idle.
 *
 * Startup is honest: a missing secret or a bad config ends the program with a message
 * on stderr and a non-zero status. An unreachable database does not: each request
 * tries to reconnect and answers 503 until it can.
 *
 * A process waits for connections with an alarm set to its next idle deadline: after
 * db.idle_disconnect_s without a request it closes its PostgreSQL connection (the next
 * request opens a new one), and after http.idle_exit_s it exits, unless it holds a warm
 * slot. SIGTERM lets the request in hand finish.
 */
#include <errno.h>
#include <fcgiapp.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "internal.h"
#include "log.h"
#include "scoreboard.h"
#include "stop_signal.h"
#include "timeutil.h"

static volatile sig_atomic_t shutting_down;
static struct scoreboard *board;

/* Tells the supervisor whether this process is free to take a connection. */
static void slot_set(int slot, enum worker_slot_state state)
{
	if (board && slot >= 0)
		atomic_store(&board->state[slot], state);
}

static void on_term(int sig)
{
	(void)sig;
	shutting_down = 1;
	FCGX_ShutdownPending();
}

static void on_alarm(int sig)
{
	(void)sig; /* accept() returns EINTR: the loop looks at the clock */
}

static void handle_one(struct request *req, const struct route *routes)
{
	log_set_request_id(req->request_id);
	request_reply_init(req);
	router_dispatch(req, routes);
	reply_send(req);
	log_set_request_id(NULL);
}

/* Seconds until the next idle deadline (0: none), given how long the process has been idle. */
static unsigned next_deadline(const struct worker_plan *plan, struct db *db, bool warm, long idle_s)
{
	long wait = -1;
	if (db_conn(db) && plan->idle_disconnect_s > 0)
		wait = plan->idle_disconnect_s - idle_s;
	if (!warm && (wait < 0 || plan->idle_exit_s - idle_s < wait))
		wait = plan->idle_exit_s - idle_s;
	if (wait < 0 && !db_conn(db) && warm)
		return 0;
	return wait > 0 ? (unsigned)wait : 1;
}

static int worker_serve(const struct worker_plan *plan, int slot, bool warm)
{
	stop_signal_handle(on_term);
	struct sigaction alarm_action = { .sa_handler = on_alarm }; /* no SA_RESTART */
	sigemptyset(&alarm_action.sa_mask);
	sigaction(SIGALRM, &alarm_action, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct db *db = db_new(plan->module);
	db_use_configured_timeouts(db);
	if (db_connect(db) != 0)
		log_warn("database unreachable at start (%s); requests will retry", db_last_error(db));
	struct arena *arena = arena_new();
	FCGX_Request fcgi;
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgi, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_error("cannot initialise FastCGI");
		return 1;
	}
	long long idle_since = time_monotonic_ms();
	while (!shutting_down) {
		alarm(next_deadline(plan, db, warm, (long)((time_monotonic_ms() - idle_since) / 1000)));
		int accepted = FCGX_Accept_r(&fcgi);
		alarm(0);
		if (accepted < 0) {
			long idle_s = (long)((time_monotonic_ms() - idle_since) / 1000);
			if (shutting_down || accepted != -EINTR)
				break;
			if (db_conn(db) && plan->idle_disconnect_s > 0 && idle_s >= plan->idle_disconnect_s) {
				db_disconnect(db);
				log_debug("idle: database connection closed");
			}
			if (!warm && plan->idle_exit_s > 0 && idle_s >= plan->idle_exit_s)
				break;
			continue;
		}
		slot_set(slot, SLOT_BUSY);
		struct request req = { .arena = arena, .db = db, .module = plan->module };
		request_load(&req, &fcgi);
		handle_one(&req, plan->routes);
		FCGX_Finish_r(&fcgi);
		arena_reset(arena);
		slot_set(slot, SLOT_IDLE);
		idle_since = time_monotonic_ms();
	}
	arena_destroy(arena);
	db_close(db);
	return 0;
}

static bool fd0_is_listening_socket(void)
{
	struct stat st;
	int listening = 0;
	socklen_t len = sizeof listening;
	return fstat(0, &st) == 0 && S_ISSOCK(st.st_mode) &&
	       getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening;
}

/* A request process started by the supervisor: maps the scoreboard and serves its slot. */
static int serve_slot(const struct worker_plan *plan, const char *slot_text)
{
	const char *fd_text = getenv(SCOREBOARD_FD_ENV);
	const char *warm = getenv(SCOREBOARD_WARM_ENV);
	int slot = atoi(slot_text), fd = fd_text ? atoi(fd_text) : -1;
	if (slot < 0 || slot >= SCOREBOARD_SLOTS || fd < 0) {
		log_error("%s: not a scoreboard slot", SCOREBOARD_SLOT_ENV);
		return 2;
	}
	board = mmap(NULL, sizeof *board, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (board == MAP_FAILED) {
		log_error("cannot map the scoreboard: %s", strerror(errno));
		return 2;
	}
	unsetenv(SCOREBOARD_FD_ENV);
	unsetenv(SCOREBOARD_SLOT_ENV);
	unsetenv(SCOREBOARD_WARM_ENV);
	return worker_serve(plan, slot, warm && strcmp(warm, "1") == 0);
}

/* Replaces this process by station-supervise (beside this program), which keeps the
 * pid, the socket on fd 0 and the name this program was started under. Returns only
 * on failure, with the exit status. */
static int become_supervisor(const char *module)
{
	static char program[PATH_MAX], supervise[PATH_MAX], argv0[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", program, sizeof program - 1);
	if (n <= 0) {
		log_error("cannot find this program (/proc/self/exe): %s", strerror(errno));
		return 2;
	}
	program[n] = '\0';
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", program);
	snprintf(supervise, sizeof supervise, "%s/station-supervise", dirname(dir));
	/* argv[0] as started (spawn-fcgi, systemd): the first string of /proc/self/cmdline. */
	FILE *cmdline = fopen("/proc/self/cmdline", "r");
	size_t len = cmdline ? fread(argv0, 1, sizeof argv0 - 1, cmdline) : 0;
	if (cmdline)
		fclose(cmdline);
	argv0[len] = '\0';
	if (!argv0[0])
		snprintf(argv0, sizeof argv0, "%s", program);

	long workers = cfg_int("http.workers"), min_workers = cfg_int("http.min_workers");
	char text[32];
	setenv("STATION_SUPERVISE_MODULE", module, 1);
	setenv("STATION_SUPERVISE_PROGRAM", program, 1);
	snprintf(text, sizeof text, "%ld", workers);
	setenv("STATION_SUPERVISE_WORKERS", text, 1);
	snprintf(text, sizeof text, "%ld", min_workers < workers ? min_workers : workers);
	setenv("STATION_SUPERVISE_MIN_WORKERS", text, 1);
	snprintf(text, sizeof text, "%ld", cfg_int("http.idle_exit_s"));
	setenv("STATION_SUPERVISE_IDLE_EXIT_S", text, 1);
	fflush(NULL);
	execv(supervise, (char *[]){ argv0, NULL });
	log_error("cannot run %s: %s", supervise, strerror(errno));
	return 2;
}

int worker_main(const char *module, const struct route *routes)
{
	return worker_main_with_start(module, routes, NULL);
}

int worker_main_with_start(const char *module, const struct route *routes, int (*start)(void))
{
	log_init(module);
	if (getenv("STATION_PRINT_ROUTES")) {
		router_print(module, routes);
		return 0;
	}
	if (getenv("STATION_PRINT_OPENAPI")) {
		openapi_print(module, routes);
		return 0;
	}
	if (cfg_load() != 0)
		return 2;
	const char *jwt = cfg_read_secret("auth.jwt_secret_file", CFG_SECRET_MIN_LENGTH);
	const char *agent = cfg_read_secret("auth.agent_token_file", CFG_SECRET_MIN_LENGTH);
	if (!jwt || !agent)
		return 2;
	caller_set_secrets(jwt, agent);
	if (start && start() != 0)
		return 2;
	if (!fd0_is_listening_socket()) {
		log_error("expects a listening FastCGI socket on fd 0 (spawn-fcgi or a systemd socket unit)");
		return 2;
	}
	struct worker_plan plan = {
		.module = module,
		.routes = routes,
		.idle_exit_s = cfg_int("http.idle_exit_s"),
		.idle_disconnect_s = cfg_int("db.idle_disconnect_s"),
	};
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	const char *slot_text = getenv(SCOREBOARD_SLOT_ENV);
	if (slot_text)
		return serve_slot(&plan, slot_text);
	return become_supervisor(module);
}
