/*
 * main.c — station-automationd, the automations engine: runs the published automations'
 * graphs when their triggers fire, durably (SPEC §4 automations; docs/automationd.md).
 *
 * Start-up is honest (ARCHITECTURE.md rule 11): a configuration that does not load is
 * said on stderr and the program exits 2. The database is reached through lib/db_link
 * (never blocking the loop, backoff, LISTEN station_events, automation_events,
 * automations_changed and automation_runs); an unreachable database is retried, not
 * fatal. Then the loop (application/loop.c) runs until SIGTERM or SIGINT: webhooks in
 * flight are abandoned (their steps are marked interrupted by the next runner), and the
 * program exits 0. Never logs a webhook's body or a device token.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "application/automationd.h"
#include "config.h"
#include "infrastructure/repo.h"
#include "log.h"
#include "stop_signal.h"
#include "timeutil.h"

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	stop_requested = sig;
}

static int usage(FILE *out, int status)
{
	fputs("usage: station-automationd\n"
	      "  the automations engine: runs published automations when their triggers fire.\n"
	      "  configuration: $STATION_CONFIG (default " SYSCONFDIR "/smart-station/station.conf),\n"
	      "  keys db.*, automations.*, devices.command_ttl (docs/automationd.md); each overridable by STATION_<KEY>.\n",
	      out);
	return status;
}

int main(int argc, char **argv)
{
	int begun = daemon_begin(argc, argv, "station-automationd", usage);
	if (begun >= 0)
		return begun;
	struct automationd a;
	memset(&a, 0, sizeof a);
	a.cfg.command_ttl_s = cfg_int("devices.command_ttl");
	a.cfg.max_active_runs = (size_t)cfg_int("automations.max_active_runs");
	a.cfg.standby_retry_ms = cfg_int("automations.standby_retry_ms");
	a.cfg.webhook_max_response = (size_t)cfg_int("automations.webhook_max_response_bytes");
	a.cfg.webhook_output_bytes = (size_t)cfg_int("automations.webhook_output_bytes");

	srand((unsigned)time_now_ms() ^ (unsigned)getpid());
	a.scratch = arena_new();
	a.webhooks = webhooks_new(a.cfg.webhook_max_response, a.cfg.webhook_output_bytes);
	a.db = db_new("station-automationd");
	db_use_configured_timeouts(a.db);
	a.link = db_link_new(a.db, repo_listen_channels);
	sigset_t unblocked;
	stop_signal_block(on_stop_signal, &unblocked);
	log_info("station-automationd started");

	int rc = automationd_run(&a, &stop_requested, &unblocked);

	log_info("stopping");
	webhooks_free(a.webhooks);
	runs_forget_all(&a);
	index_clear(&a);
	db_link_free(a.link);
	db_close(a.db);
	arena_destroy(a.scratch);
	log_info("stopped");
	return rc;
}
