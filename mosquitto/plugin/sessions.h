/*
 * sessions.h — the device usernames this broker let in, each with the token hash it
 * presented, and the ones whose sessions must be dropped at the next broker tick.
 *
 * Why: a credentials notice (device deleted, token rotated) is lost while the plugin's
 * database connection is down. After a reconnection the plugin compares what it let in
 * with the devices table and drops the sessions whose token is no longer the device's.
 * Pure bookkeeping: no I/O, no broker calls (a session is never dropped from inside an
 * authentication callback, only from the tick — see station_auth.c).
 */
#ifndef STATION_MQTT_SESSIONS_H
#define STATION_MQTT_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>

#define SESSIONS_HASH_LEN 64 /* SHA-256, lower-case hex */

struct session_entry {
	char *username;
	char token_hash[SESSIONS_HASH_LEN + 1]; /* "" when only a drop is pending */
	const char *drop_reason;                /* non-NULL: drop its sessions at the next tick */
};

struct sessions {
	struct session_entry *entries;
	size_t count, capacity;
};

void sessions_init(struct sessions *s);
void sessions_free(struct sessions *s);

/*
 * A device authenticated with token_hash. When it had authenticated before with another
 * hash, its token changed without the plugin hearing of it: its older sessions are
 * marked for dropping (reason "token changed"). -1 when out of memory.
 */
int sessions_remember(struct sessions *s, const char *username, const char *token_hash);

/* Marks username's sessions for dropping (remembered or not). -1 when out of memory. */
int sessions_mark_drop(struct sessions *s, const char *username, const char *reason);

/* The remembered entry of username, or NULL. */
struct session_entry *sessions_find(struct sessions *s, const char *username);

/*
 * Calls drop(username, reason, ctx) for every marked entry and forgets those entries.
 * drop may not call back into s.
 */
void sessions_drop_marked(struct sessions *s, void (*drop)(const char *username, const char *reason, void *ctx),
			  void *ctx);

#endif
