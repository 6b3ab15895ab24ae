/*
 * worker.c — the process model of a REST module: configuration and secrets at start,
 * N pre-forked processes accepting on the FastCGI socket handed over on fd 0, a parent
 * that replaces any process that dies, and a graceful SIGTERM (the request in hand is
 * finished first).
 *
 * Startup is honest: a missing secret or a bad config ends the program with a message
 * on stderr and a non-zero status. An unreachable database does not: each request
 * tries to reconnect and answers 503 until it can.
 */
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "internal.h"
#include "log.h"
#include "stop_signal.h"

static volatile sig_atomic_t shutting_down;

static void on_child_term(int sig)
{
	(void)sig;
	shutting_down = 1;
	FCGX_ShutdownPending();
}

static void handle_one(struct request *req, const struct route *routes)
{
	log_set_request_id(req->request_id);
	buf_init(&req->headers, req->arena);
	buf_init(&req->out, req->arena);
	jw_init(&req->json, &req->out);
	router_dispatch(req, routes);
	reply_send(req);
	log_set_request_id(NULL);
}

/* The life of one pre-forked process. */
static int serve(const char *module, const struct route *routes)
{
	stop_signal_handle(on_child_term); /* accept() wakes with EINTR */
	signal(SIGPIPE, SIG_IGN);

	struct db *db = db_new(module);
	if (db_connect(db) != 0)
		log_warn("database unreachable at start (%s); requests will retry", db_last_error(db));
	struct arena *arena = arena_new();
	FCGX_Request fcgi;
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgi, 0, 0) != 0) {
		log_error("cannot initialise FastCGI");
		return 1;
	}
	while (!shutting_down && FCGX_Accept_r(&fcgi) >= 0) {
		struct request req = { .arena = arena, .db = db, .module = module };
		request_load(&req, &fcgi);
		handle_one(&req, routes);
		FCGX_Finish_r(&fcgi);
		arena_reset(arena);
	}
	arena_destroy(arena);
	db_close(db);
	return 0;
}

static pid_t spawn(const char *module, const struct route *routes)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(serve(module, routes));
	if (pid < 0)
		log_error("fork failed: %s", strerror(errno));
	return pid;
}

static volatile sig_atomic_t parent_stop;

static void on_parent_term(int sig)
{
	(void)sig;
	parent_stop = 1;
}

/* Keeps `count` processes alive until SIGTERM, then stops them and waits. */
static int supervise(const char *module, const struct route *routes, int count)
{
	pid_t children[CFG_HTTP_WORKERS_MAX] = { 0 };
	stop_signal_handle(on_parent_term);
	for (int i = 0; i < count; i++)
		children[i] = spawn(module, routes);
	log_info("serving with %d processes", count);
	while (!parent_stop) {
		int wstatus;
		pid_t dead = waitpid(-1, &wstatus, 0);
		if (dead < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < count; i++) {
			if (children[i] != dead)
				continue;
			if (WIFSIGNALED(wstatus))
				log_warn("process %d killed by signal %d; replacing it", (int)dead, WTERMSIG(wstatus));
			else
				log_warn("process %d exited with status %d; replacing it", (int)dead, WEXITSTATUS(wstatus));
			if (parent_stop)
				break;
			struct timespec pause = { 0, 200 * 1000000L }; /* no tight crash loop */
			nanosleep(&pause, NULL);
			if (parent_stop) /* the stop signal may land while the children already exit */
				break;
			children[i] = spawn(module, routes);
		}
	}
	for (int i = 0; i < count; i++)
		if (children[i] > 0)
			kill(children[i], SIGTERM);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	log_info("stopped");
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

int worker_main(const char *module, const struct route *routes)
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
	const char *jwt = cfg_read_secret("auth.jwt_secret_file", 32);
	const char *agent = cfg_read_secret("auth.agent_token_file", 32);
	if (!jwt || !agent)
		return 2;
	caller_set_secrets(jwt, agent);
	if (!fd0_is_listening_socket()) {
		log_error("expects a listening FastCGI socket on fd 0 (spawn-fcgi or a systemd socket unit)");
		return 2;
	}
	int count = (int)cfg_int("http.workers");
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	return supervise(module, routes, count);
}
