/*
 * repo.h — SQL of station-wsd: the channel it LISTENs on, and whether a token still admits its user.
 *
 * Every statement is small and indexed: wsd runs them on its one event loop, so each
 * one pauses every client for its duration. Nothing here decides what a result means
 * for a connection.
 */
#ifndef WSD_REPO_H
#define WSD_REPO_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "arena.h"
#include "db.h"

/* The channels wsd LISTENs on (station_events), on every connection its db_link makes. */
extern const char *const wsd_repo_channels[];

/* *admitted: the session (a UUID) of user_id is live, at most max_days old, and the user
 * a member of the station (station_access_role(), the REST runtime's rule too). */
enum db_status wsd_repo_is_admitted(struct db *db, struct arena *arena, const char *user_id, const char *session_id,
				    long max_days, bool *admitted);

/*
 * Of the (user, session) pairs given as two Postgres array literals of UUIDs of the same
 * length ("{a,b}", repeats allowed), those no longer admitted: one row each, column 0
 * the user id, column 1 the session id, as text.
 */
enum db_status wsd_repo_no_longer_admitted(struct db *db, struct arena *arena, const char *user_ids,
					   const char *session_ids, long max_days, PGresult **out);

#endif
