/*
 * session.c — the database connection as mqttd's use cases see it.
 *
 * Before any SQL a use case asks mqttd_db_ready() (availability: see
 * infrastructure/database.h). Every new connection has LISTENed device_commands before
 * it is handed over (lib/db_link), and db_generation() changes with it, so whenever the
 * generation differs from the one last seen the outbox is drained, since commands may
 * have been queued while nobody listened; queued telemetry is written at once.
 */
#include "application/mqttd.h"

#include <time.h>

#include "log.h"
#include "timeutil.h"

long long mqttd_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

bool mqttd_db_ready(struct mqttd *m, bool urgent)
{
	long long now = time_monotonic_ms();
	if (!database_usable(&m->database, now, urgent))
		return false;
	unsigned generation = db_generation(m->db);
	if (generation == m->listen_generation)
		return true;
	if (m->listen_generation != 0)
		log_info("listening for device commands again");
	m->listen_generation = generation;
	outbox_wake(m);
	return true;
}

void mqttd_db_failed(struct mqttd *m, enum db_status st)
{
	if (st == DB_UNAVAILABLE)
		database_lost(&m->database, time_monotonic_ms());
}
