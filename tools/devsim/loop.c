/*
 * loop.c — devsim's one event loop: a single thread polls every device's socket,
 * runs the timers (connect attempts, heartbeats, telemetry, --rate), pauses them between
 * SIGUSR1 and SIGUSR2, and on SIGINT, SIGTERM or the end of --duration disconnects every
 * device cleanly.
 *
 * Why poll() and not mosquitto_loop(): mosquitto_loop() selects on one client at a
 * time and refuses descriptors above FD_SETSIZE (1024), and each libmosquitto client
 * holds three descriptors, so a thousand devices need poll(). No library threads run.
 *
 * A clean disconnect sends MQTT DISCONNECT, so the broker drops the Last Will; only a
 * killed devsim (kill -9) or a lost connection makes the broker publish it.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devsim.h"
#include "device.h"
#include "link.h"
#include "simlog.h"

#define TICK_MAX_MS 100         /* the loop wakes at least this often */
#define RATE_TICK_MS 5          /* … and this often under --rate */
#define MISC_INTERVAL_MS 1000   /* keepalive housekeeping */
#define STATS_INTERVAL_MS 10000
#define DRAIN_MS 1000           /* at exit: wait this long for queued publishes */
#define CLOSE_MS 2000           /* … then this long for the disconnects */

static volatile sig_atomic_t stop_signal, pause_signal, resume_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void on_pause_signal(int sig)
{
	if (sig == SIGUSR1)
		pause_signal = 1;
	else
		resume_signal = 1;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_pause_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int64_t sim_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct poller {
	struct pollfd *fds;
	size_t *owner; /* fds[i] belongs to devices[owner[i]] */
};

/* One poll() over every open socket, then service what is ready. */
static int poll_once(struct sim *sim, struct poller *p, int timeout_ms)
{
	nfds_t n = 0;
	for (size_t i = 0; i < sim->count; i++) {
		int fd = link_socket(&sim->devices[i]);
		if (fd < 0)
			continue;
		p->fds[n].fd = fd;
		p->fds[n].events = POLLIN | (link_want_write(&sim->devices[i]) ? POLLOUT : 0);
		p->fds[n].revents = 0;
		p->owner[n] = i;
		n++;
	}
	int ready = poll(p->fds, n, timeout_ms);
	if (ready < 0) {
		if (errno == EINTR)
			return 0;
		simlog(SIMLOG_ERROR, "poll failed", "reason", strerror(errno), NULL);
		return -1;
	}
	for (nfds_t i = 0; i < n && ready > 0; i++) {
		if (!p->fds[i].revents)
			continue;
		ready--;
		link_io(&sim->devices[p->owner[i]], p->fds[i].revents);
	}
	return 0;
}

/* --rate: ticks handed out round-robin to connected devices until the fleet as a whole
 * has published rate state messages per second. Every state message counts, whatever
 * sent it (a tick, a light answering a command, a button release, a reconnect), so the
 * rate at the broker is the rate asked for. A backlog over one second is dropped rather
 * than burst, so a stalled loop does not then flood the broker. */
struct rate_state {
	int64_t start;
	unsigned long long counted; /* state messages accounted for */
	unsigned long long seen;    /* sim->n.states when last looked at */
	size_t cursor;
	bool behind_logged;
};

static void rate_take_states(struct sim *sim, struct rate_state *rs)
{
	rs->counted += sim->n.states - rs->seen;
	rs->seen = sim->n.states;
}

static void run_rate(struct sim *sim, struct rate_state *rs, int64_t now)
{
	double rate = sim->opt->rate;
	unsigned long long due = (unsigned long long)((double)(now - rs->start) * rate / 1000.0);
	rate_take_states(sim, rs);
	if (due <= rs->counted)
		return;
	unsigned long long want = due - rs->counted;
	unsigned long long cap = (unsigned long long)rate + 1;
	if (want > cap) {
		if (!rs->behind_logged)
			simlog(SIMLOG_WARN, "cannot keep up with --rate; dropping the backlog", NULL);
		rs->behind_logged = true;
		rs->counted += want - cap;
		want = cap;
	}
	for (; want > 0; want--) {
		struct device *dev = NULL;
		for (size_t step = 0; step < sim->count; step++) {
			struct device *d = &sim->devices[rs->cursor];
			rs->cursor = (rs->cursor + 1) % sim->count;
			if (d->online) {
				dev = d;
				break;
			}
		}
		if (!dev) { /* nobody connected: nothing owed for this time */
			rs->counted = due;
			return;
		}
		device_report(dev, now);
	}
	rate_take_states(sim, rs);
}

/* Every STATS_INTERVAL_MS: what the fleet did since the last line. */
struct stats_window {
	int64_t at;
	unsigned long long published, states;
};

static void log_stats(struct sim *sim, struct stats_window *w, int64_t now, int64_t start)
{
	double secs = (double)(now - w->at) / 1000.0;
	char connected[24], published[24], per_second[32], states_per_second[32], seconds[24];
	snprintf(connected, sizeof connected, "%zu", sim->connected);
	snprintf(published, sizeof published, "%llu", sim->n.published);
	snprintf(per_second, sizeof per_second, "%.1f",
		 secs > 0 ? (double)(sim->n.published - w->published) / secs : 0.0);
	snprintf(states_per_second, sizeof states_per_second, "%.1f",
		 secs > 0 ? (double)(sim->n.states - w->states) / secs : 0.0);
	snprintf(seconds, sizeof seconds, "%lld", (long long)((now - start) / 1000));
	simlog(SIMLOG_INFO, "stats", "connected", connected, "published", published,
	       "publishedPerSecond", per_second, "statesPerSecond", states_per_second,
	       "seconds", seconds, NULL);
	w->at = now;
	w->published = sim->n.published;
	w->states = sim->n.states;
}

static bool any_unacked(const struct sim *sim)
{
	for (size_t i = 0; i < sim->count; i++)
		if (sim->devices[i].online && sim->devices[i].unacked > 0)
			return true;
	return false;
}

/*
 * SIGUSR1 pauses the fleet: sessions stay up (acknowledgements are read, keepalives
 * sent, commands answered, a device that reconnects says hello as firmware does), but no
 * telemetry, event or heartbeat goes out; --report is written then. SIGUSR2 resumes, the
 * --rate schedule starting afresh (no burst to catch up).
 */
static void toggle_pause(struct sim *sim, struct rate_state *rs)
{
	if (pause_signal) {
		pause_signal = 0;
		if (!sim->paused) {
			sim->paused = true;
			simlog(SIMLOG_INFO, "paused", NULL);
		}
		if (sim->opt->report_path)
			report_write(sim);
	}
	if (resume_signal) {
		resume_signal = 0;
		if (sim->paused) {
			sim->paused = false;
			*rs = (struct rate_state){ .start = sim_now_ms(), .seen = sim->n.states, .cursor = rs->cursor };
			simlog(SIMLOG_INFO, "resumed", NULL);
		}
	}
}

static bool any_open(const struct sim *sim)
{
	for (size_t i = 0; i < sim->count; i++)
		if (link_socket(&sim->devices[i]) >= 0)
			return true;
	return false;
}

/* Let queued publishes go out, then DISCONNECT everyone and wait for the closes. */
static void shut_down(struct sim *sim, struct poller *p)
{
	sim->stopping = true;
	int64_t until = sim_now_ms() + DRAIN_MS;
	while (any_unacked(sim) && sim_now_ms() < until)
		if (poll_once(sim, p, 50) != 0)
			break;
	for (size_t i = 0; i < sim->count; i++)
		link_disconnect(&sim->devices[i]);
	until = sim_now_ms() + CLOSE_MS;
	while (any_open(sim) && sim_now_ms() < until)
		if (poll_once(sim, p, 50) != 0)
			break;
}

int sim_run(struct sim *sim)
{
	const struct options *opt = sim->opt;
	struct poller p = {
		.fds = calloc(sim->count ? sim->count : 1, sizeof *p.fds),
		.owner = calloc(sim->count ? sim->count : 1, sizeof *p.owner),
	};
	bool ready = p.fds && p.owner;
	if (!ready)
		simlog(SIMLOG_ERROR, "out of memory", NULL);
	for (size_t i = 0; ready && i < sim->count; i++)
		ready = link_init(&sim->devices[i]) == 0;
	if (!ready) {
		for (size_t i = 0; i < sim->count; i++)
			link_destroy(&sim->devices[i]);
		free(p.fds);
		free(p.owner);
		return 1;
	}
	install_signals();

	int64_t start = sim_now_ms();
	/* Stagger the first connects at --connect-rate so the broker's backlog holds. */
	for (size_t i = 0; i < sim->count; i++)
		sim->devices[i].connect_at = start + 1 + (int64_t)(i * 1000 / (size_t)opt->connect_rate);
	int64_t end = opt->duration_s ? start + (int64_t)opt->duration_s * 1000 : 0;
	int64_t next_misc = start + MISC_INTERVAL_MS;
	int64_t next_stats = start + STATS_INTERVAL_MS;
	struct stats_window window = { .at = start };
	struct rate_state rs = { .start = start, .seen = sim->n.states };
	int status = 0;

	while (!stop_signal) {
		int64_t now = sim_now_ms();
		if (end && now >= end)
			break;
		if (pause_signal || resume_signal)
			toggle_pause(sim, &rs);
		ota_reap(sim);
		int64_t wake = now + (opt->rate > 0 ? RATE_TICK_MS : TICK_MAX_MS);
		for (size_t i = 0; i < sim->count; i++) {
			struct device *dev = &sim->devices[i];
			if (dev->link == LINK_IDLE && dev->connect_at) {
				if (dev->connect_at <= now)
					link_connect(dev, now);
				else if (dev->connect_at < wake)
					wake = dev->connect_at;
			}
			int64_t next = sim->paused ? 0 : device_run_timers(dev, now);
			if (next && next < wake)
				wake = next;
		}
		if (opt->rate > 0 && !sim->paused)
			run_rate(sim, &rs, now);
		if (now >= next_misc) {
			for (size_t i = 0; i < sim->count; i++)
				link_misc(&sim->devices[i]);
			next_misc = now + MISC_INTERVAL_MS;
		}
		if (now >= next_stats) {
			log_stats(sim, &window, now, start);
			next_stats = now + STATS_INTERVAL_MS;
		}
		if (end && end < wake)
			wake = end;
		int64_t timeout = wake - sim_now_ms();
		if (poll_once(sim, &p, timeout < 0 ? 0 : (int)timeout) != 0) {
			status = 1;
			break;
		}
	}
	if (stop_signal) {
		char sig[16];
		snprintf(sig, sizeof sig, "%d", (int)stop_signal);
		simlog(SIMLOG_INFO, "stopping", "signal", sig, NULL);
	} else if (status == 0) {
		simlog(SIMLOG_INFO, "stopping", "reason", "duration reached", NULL);
	}
	sim->run_ms = sim_now_ms() - start;
	shut_down(sim, &p);
	for (size_t i = 0; i < sim->count; i++)
		link_destroy(&sim->devices[i]);
	free(p.fds);
	free(p.owner);
	return status;
}
