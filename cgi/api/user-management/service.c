/*
 * service.c — rules of the user-management module (api-user-management); see service.h
 * and docs/members.md.
 *
 * The last-owner rule is decided with every owner row locked: station_lock_owners returns
 * the owners that stay owners until this transaction ends (a row another transaction
 * demoted while this one waited is not among them), in a fixed order, so of two owners
 * demoting each other one waits for the other and then sees itself as the last owner.
 * The database refuses an ownerless station by itself as well (011_members.sql), for
 * writers that do not come through here.
 *
 * This file must never log or return a password or a hash.
 */
#include "service.h"

#include <string.h>

#include "config.h"
#include "crypto.h"
#include "log.h"
#include "repo.h"
#include "station_repo.h"

static bool is_member_role(const char *role)
{
	return strcmp(role, "member") == 0;
}

static bool caller_is_owner(const struct request *req)
{
	return req->caller.kind == CALLER_OWNER;
}

const char *member_role_check(const struct field_check_input *in, int *status)
{
	const struct request *req = in->ctx;
	if (is_member_role(json_object_get_string(in->value)) || caller_is_owner(req))
		return NULL;
	*status = 403;
	return arena_printf(in->arena, "%s: only an owner may make admins or owners", in->path);
}

/* The member, locked: its row (MEMBER_COL_*), or NULL after replying (404 for a non-member). */
static PGresult *lock_member_or_reply(struct request *req, const char *user_id)
{
	return db_row(req, "member not found", station_lock_member, user_id);
}

/* Whether any owner but user_id is among the locked owners. */
static bool another_owner(const PGresult *owners, const char *user_id)
{
	for (int i = 0; i < PQntuples(owners); i++)
		if (strcmp(db_value(owners, i, 0), user_id) != 0)
			return true;
	return false;
}

int member_change_allowed_or_reply(struct request *req, const char *user_id, const char *new_role)
{
	PGresult *owners = db_run(req, station_lock_owners), *member;
	if (!owners || !(member = lock_member_or_reply(req, user_id)))
		return req->status;
	const char *role = db_value(member, 0, MEMBER_COL_ROLE);
	if (!is_member_role(role) && !caller_is_owner(req))
		return new_role ? reply_error(req, 403, "role: only an owner may change the role of an admin or owner")
				: reply_error(req, 403, "only an owner may remove an admin or owner");
	bool loses_owner = strcmp(role, "owner") == 0 && (!new_role || strcmp(new_role, "owner") != 0);
	if (loses_owner && !another_owner(owners, user_id))
		return new_role ? reply_error(req, 409, "role: the last owner cannot be demoted")
				: reply_error(req, 409, "the last owner cannot be removed");
	return 0;
}

int member_create_or_reply(struct request *req, const char *email, const char *name, const char *password,
			   const char *role, PGresult **user)
{
	const char *hash = password_hash(req->arena, password, (int)cfg_int("auth.bcrypt_cost"));
	if (!hash)
		return reply_error(req, 500, "cannot hash the password");
	PGresult *member;
	if (!(*user = db_run(req, um_insert_user, email, name, role, hash)) ||
	    !(member = db_run(req, station_add_member, db_value(*user, 0, USER_COL_ID), role)))
		return req->status;
	if (PQntuples(member) == 0)
		return reply_error(req, 500, "no station row: station-migrate has not run");
	log_fields(LOG_INFO, "member created", "userId", db_value(*user, 0, USER_COL_ID), "role", role, NULL);
	return 0;
}

int member_reset_password_or_reply(struct request *req, const char *user_id, const char *password)
{
	/* The membership stays locked while bcrypt runs, so the rule cannot change under it. */
	PGresult *member = lock_member_or_reply(req, user_id);
	if (!member)
		return req->status;
	if (!is_member_role(db_value(member, 0, MEMBER_COL_ROLE)) && !caller_is_owner(req))
		return reply_error(req, 403, "only an owner may reset the password of an admin or owner");
	if (strcmp(db_value(member, 0, MEMBER_COL_SOURCE), "local") != 0)
		return reply_error(req, 403, "newPassword: managed by the cloud for this account");
	const char *hash = password_hash(req->arena, password, (int)cfg_int("auth.bcrypt_cost"));
	if (!hash)
		return reply_error(req, 500, "cannot hash the password");
	if (!db_run(req, user_set_password, user_id, hash, NULL))
		return req->status;
	log_fields(LOG_INFO, "password reset; sessions revoked", "userId", user_id, "by", req->caller.user_id, NULL);
	return 0;
}
