/*
 * repo.h — SQL of station-wsd: the channel it LISTENs on, and station membership.
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

/* *member: the user exists and has a station_members row. */
enum db_status wsd_repo_is_member(struct db *db, struct arena *arena, const char *user_id, bool *member);

/*
 * Of the users in ids (a Postgres array literal of UUIDs, "{a,b}", repeats allowed), those
 * that are no longer members (or no longer exist): one row each, column 0 the id as text.
 */
enum db_status wsd_repo_non_members_among(struct db *db, struct arena *arena, const char *ids, PGresult **out);

#endif
