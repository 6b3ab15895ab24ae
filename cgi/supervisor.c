/*
 * supervisor.c — request processes on demand for one REST module.
 *
 * The supervisor holds the module's listening socket (fd 0) and serves nothing itself:
 * it watches the socket and starts a request process when a connection waits and no
 * process is idle, up to http.workers. A process that has served nothing for
 * http.idle_exit_s exits, so a module nobody calls costs one small process and no
 * PostgreSQL backend. The first http.min_workers slots are warm: they never leave for
 * idleness and are replaced when they die (a crash costs the request in hand).
 *
 * It is its own program, station-supervise, linked with nothing but libc: the module's
 * program (api-<module>) checks its configuration and secrets and then execs it under its
 * own name, and each request process is a fresh exec of the module's program. A
 * supervisor that forked request processes from itself would have to map libpq,
 * libcrypto, GnuTLS, Kerberos and the rest, whose relocated data alone is about 1 MB of
 * private memory per module, for a process that never calls them (docs/PERFORMANCE.md).
 *
 * Who is idle is kept in a scoreboard shared with the processes (one slot each, atomic
 * states, a memfd the process maps): a process marks its slot busy when it accepts and
 * idle when it has answered.
 * A slot the supervisor has just filled counts as idle, so one waiting connection
 * starts one process, not one per wake-up. While every process is busy and the table
 * is full, connections wait in the socket's backlog and the supervisor looks again
 * every BUSY_RECHECK_MS instead of spinning on a readable socket.
 *
 * Its environment (set by worker_main) says what to run: STATION_SUPERVISE_PROGRAM (the
 * module's program), STATION_SUPERVISE_MODULE, _WORKERS, _MIN_WORKERS, _IDLE_EXIT_S.
 *
 * Must never accept a connection, touch the database, link a library beyond libc, or
 * block in anything but ppoll().
 */
#define _GNU_SOURCE /* ppoll, memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "scoreboard.h"
#include "stop_signal.h"

/* How long connections may wait when every process is busy before the supervisor looks again. */
#define BUSY_RECHECK_MS 5
/* A process that died abnormally is not replaced sooner than this (no tight crash loop). */
#define CRASH_PAUSE_MS 200

struct plan {
	const char *program;  /* the module's program, exec'd for each request process */
	const char *argv0;    /* the name it runs under (ps, pgrep: the module's, not ours) */
	int max_workers;      /* http.workers */
	int min_workers;      /* http.min_workers: slots kept warm */
	long idle_exit_s;     /* http.idle_exit_s (the processes apply it; logged here) */
};

static struct scoreboard *board;
static int board_fd = -1;
static pid_t pids[SCOREBOARD_SLOTS];
static volatile sig_atomic_t stopping;
/* The signal mask outside poll: SIGCHLD and the stop signals wait for ppoll(), so
 * that one arriving just before it cannot be missed. */
static sigset_t waiting_mask, running_mask;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void on_child(int sig)
{
	(void)sig; /* only wakes poll() */
}

static int count_in(int max, enum worker_slot_state state)
{
	int n = 0;
	for (int i = 0; i < max; i++)
		n += atomic_load(&board->state[i]) == (int)state;
	return n;
}

static void spawn(int slot, const struct plan *plan)
{
	atomic_store(&board->state[slot], SLOT_IDLE);
	pid_t pid = fork();
	if (pid == 0) {
		char number[16];
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, &running_mask, NULL);
		fcntl(board_fd, F_SETFD, 0); /* the process maps the scoreboard, then closes it */
		snprintf(number, sizeof number, "%d", board_fd);
		setenv(SCOREBOARD_FD_ENV, number, 1);
		snprintf(number, sizeof number, "%d", slot);
		setenv(SCOREBOARD_SLOT_ENV, number, 1);
		setenv(SCOREBOARD_WARM_ENV, slot < plan->min_workers ? "1" : "0", 1);
		execv(plan->program, (char *[]){ (char *)plan->argv0, NULL });
		log_error("cannot run %s: %s", plan->program, strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		log_error("fork failed: %s", strerror(errno));
		atomic_store(&board->state[slot], SLOT_FREE);
		return;
	}
	pids[slot] = pid;
}

/* Collects every process that ended; true when one of them ended abnormally. */
static bool reap(const struct plan *plan)
{
	bool crashed = false;
	int wstatus;
	pid_t dead;
	while ((dead = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		for (int i = 0; i < plan->max_workers; i++) {
			if (pids[i] != dead)
				continue;
			pids[i] = 0;
			atomic_store(&board->state[i], SLOT_FREE);
			bool warm = i < plan->min_workers;
			if (WIFSIGNALED(wstatus)) {
				log_warn("process %d killed by signal %d; %s", (int)dead, WTERMSIG(wstatus),
					 warm ? "replacing it" : "the next connection starts another");
				crashed = true;
			} else if (WEXITSTATUS(wstatus) != 0) {
				log_warn("process %d exited with status %d; %s", (int)dead, WEXITSTATUS(wstatus),
					 warm ? "replacing it" : "the next connection starts another");
				crashed = true;
			}
		}
	}
	return crashed;
}

static void pause_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

/* The first free slot at or after `from`, or -1. */
static int free_slot(const struct plan *plan, int from)
{
	for (int i = from; i < plan->max_workers; i++)
		if (pids[i] == 0)
			return i;
	return -1;
}

/* Whether a connection still waits in the backlog. ppoll() and an idle process wake
 * together: when the process has taken the connection (and marked itself busy) by the
 * time the supervisor looks, nothing waits and no process is started for nothing. */
static bool connection_waits(void)
{
	struct pollfd listener = { .fd = 0, .events = POLLIN };
	return poll(&listener, 1, 0) == 1 && (listener.revents & POLLIN);
}

static void stop_all(const struct plan *plan)
{
	for (int i = 0; i < plan->max_workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

static int supervise(const struct plan *plan)
{
	board_fd = memfd_create("scoreboard", MFD_CLOEXEC);
	if (board_fd < 0 || ftruncate(board_fd, sizeof *board) != 0 ||
	    (board = mmap(NULL, sizeof *board, PROT_READ | PROT_WRITE, MAP_SHARED, board_fd, 0)) == MAP_FAILED) {
		log_error("cannot map the scoreboard: %s", strerror(errno));
		return 1;
	}
	stop_signal_handle(on_stop);
	struct sigaction child = { .sa_handler = on_child }; /* no SA_RESTART: ppoll() wakes */
	sigemptyset(&child.sa_mask);
	sigaction(SIGCHLD, &child, NULL);
	sigset_t blocked;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGCHLD);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	sigprocmask(SIG_BLOCK, &blocked, &running_mask);
	waiting_mask = running_mask;
	log_info("serving on demand: at most %d processes, %d kept warm, idle ones leave after %ld s",
		 plan->max_workers, plan->min_workers, plan->idle_exit_s);

	while (!stopping) {
		if (reap(plan))
			pause_ms(CRASH_PAUSE_MS);
		int slot;
		while (!stopping && (slot = free_slot(plan, 0)) >= 0 && slot < plan->min_workers)
			spawn(slot, plan);
		struct pollfd listener = { .fd = 0, .events = POLLIN };
		int ready = ppoll(&listener, 1, NULL, &waiting_mask);
		if (ready <= 0 || !(listener.revents & POLLIN))
			continue; /* a signal: a child ended, or the stop */
		if (count_in(plan->max_workers, SLOT_IDLE) == 0 && connection_waits() &&
		    (slot = free_slot(plan, plan->min_workers)) >= 0)
			spawn(slot, plan);
		else
			pause_ms(BUSY_RECHECK_MS); /* an idle process is taking it, or all are busy */
	}
	stop_all(plan);
	log_info("stopped");
	return 0;
}

/* A number from the environment within [min, max]; false when absent or out of range. */
static bool env_number(const char *name, long min, long max, long *out)
{
	const char *text = getenv(name);
	char *end;
	if (!text || !*text)
		return false;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno || *end || value < min || value > max)
		return false;
	*out = value;
	return true;
}

int main(int argc, char **argv)
{
	const char *module = getenv("STATION_SUPERVISE_MODULE");
	struct plan plan = { .program = getenv("STATION_SUPERVISE_PROGRAM"), .argv0 = argc > 0 ? argv[0] : NULL };
	long workers, min_workers, idle_exit_s;
	log_init(module ? module : "supervise");
	if (!module || !plan.program || !plan.argv0 ||
	    !env_number("STATION_SUPERVISE_WORKERS", 1, SCOREBOARD_SLOTS, &workers) ||
	    !env_number("STATION_SUPERVISE_MIN_WORKERS", 0, workers, &min_workers) ||
	    !env_number("STATION_SUPERVISE_IDLE_EXIT_S", 0, 86400, &idle_exit_s)) {
		log_error("station-supervise is started by a module's program (api-<module>), not by hand");
		return 2;
	}
	plan.max_workers = (int)workers;
	plan.min_workers = (int)min_workers;
	plan.idle_exit_s = idle_exit_s;
	return supervise(&plan);
}
