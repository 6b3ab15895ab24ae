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
 * Who is idle is kept in a scoreboard shared with the processes (one slot each, atomic
 * states): a process marks its slot busy when it accepts and idle when it has answered.
 * A slot the supervisor has just filled counts as idle, so one waiting connection
 * starts one process, not one per wake-up. While every process is busy and the table
 * is full, connections wait in the socket's backlog and the supervisor looks again
 * every BUSY_RECHECK_MS instead of spinning on a readable socket.
 *
 * Must never accept a connection, touch the database, or block in anything but ppoll().
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "internal.h"
#include "log.h"
#include "stop_signal.h"

/* How long connections may wait when every process is busy before the supervisor looks again. */
#define BUSY_RECHECK_MS 5
/* A process that died abnormally is not replaced sooner than this (no tight crash loop). */
#define CRASH_PAUSE_MS 200

struct scoreboard {
	_Atomic int state[CFG_HTTP_WORKERS_MAX];
};

static struct scoreboard *board;
static pid_t pids[CFG_HTTP_WORKERS_MAX];
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

void worker_slot_set(int slot, enum worker_slot_state state)
{
	if (board && slot >= 0)
		atomic_store(&board->state[slot], state);
}

static int count_in(int max, enum worker_slot_state state)
{
	int n = 0;
	for (int i = 0; i < max; i++)
		n += atomic_load(&board->state[i]) == (int)state;
	return n;
}

static void spawn(int slot, const struct worker_plan *plan)
{
	atomic_store(&board->state[slot], SLOT_IDLE);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGCHLD, SIG_DFL);
		sigprocmask(SIG_SETMASK, &running_mask, NULL);
		_exit(worker_serve(plan, slot, slot < plan->min_workers));
	}
	if (pid < 0) {
		log_error("fork failed: %s", strerror(errno));
		atomic_store(&board->state[slot], SLOT_FREE);
		return;
	}
	pids[slot] = pid;
}

/* Collects every process that ended; true when one of them ended abnormally. */
static bool reap(const struct worker_plan *plan)
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
static int free_slot(const struct worker_plan *plan, int from)
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

static void stop_all(const struct worker_plan *plan)
{
	for (int i = 0; i < plan->max_workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

int supervise(const struct worker_plan *plan)
{
	board = mmap(NULL, sizeof *board, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (board == MAP_FAILED) {
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
