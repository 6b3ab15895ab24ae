/*
 * repo.h — SQL of the user-management module (api-user-management): local accounts made
 * on the LAN, and invites queued in the cloud outbox.
 *
 * Membership itself (add, lock, change, remove, list) is the station repository's
 * (station_repo.h) and the password and session statements are user_repo.h's: this
 * file holds only what no other module needs. Nothing here replies or decides a rule.
 */
#ifndef STATION_API_USER_MANAGEMENT_REPO_H
#define STATION_API_USER_MANAGEMENT_REPO_H

#include "statement.h"
#include "user_repo.h"

/* An invite: {id,email,role,invitedBy,state,attempts,lastError,createdAt,sentAt}. */
extern const struct db_column invite_columns[];

/* $1 email, $2 name, $3 role, $4 password hash: a new local account (user_columns);
 * a taken email (any case) is a 409. */
STATEMENT_DECLARE(um_insert_user, 4);

/* $1 user: deletes the account when it is a local one (a cloud account is cloud-sync's). */
STATEMENT_DECLARE(um_delete_local_user, 1);

/* $1 email, $2 role, $3 inviting user: queues an invite in cloud_outbox (invite_columns). */
STATEMENT_DECLARE(um_queue_invite, 3);
/* The invites, newest first, at most 200 (invite_columns). */
STATEMENT_DECLARE(um_invites, 0);

#endif
