/*
 * session.c — the database connection as mqttd's use cases see it.
 *
 * Before any SQL a use case asks mqttd_db_ready(). Besides availability (see
 * infrastructure/database.h) this keeps LISTEN device_commands alive: a notification
 * registration belongs to one connection, and lib/db may replace the connection under
 * us (db_generation() changes), so whenever the generation differs from the one we
 * listened on, LISTEN is sent again and the outbox drained, since commands may have been
 * queued while nobody listened; queued telemetry is written at once. Never sends LISTEN
 * inside a transaction of a use case.
 */
#include "application/mqttd.h"

#include <time.h>

#include "infrastructure/repo.h"
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
	if (db_in_transaction(m->db))
		return true; /* a connection replaced mid-transaction fails that transaction first */
	enum db_status st = repo_listen_commands(m->db, m->batch_arena);
	if (st != DB_OK) {
		mqttd_db_failed(m, st);
		return false;
	}
	if (m->listen_generation != 0)
		log_info("listening for device commands again");
	m->listen_generation = db_generation(m->db);
	outbox_wake(m);
	return true;
}

void mqttd_db_failed(struct mqttd *m, enum db_status st)
{
	if (st == DB_UNAVAILABLE)
		database_lost(&m->database, time_monotonic_ms(), NULL);
}
