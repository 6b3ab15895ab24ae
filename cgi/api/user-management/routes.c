/*
 * routes.c — api-user-management: the household's members, local accounts, password
 * resets and invites (SPEC §4 user-management; docs/members.md).
 *
 * The table at the bottom says who may call each route and what its body looks like;
 * a role in a body is checked there too (only an owner makes admins or owners). The
 * rules that need the database — who may act on whom, the last owner — are service.c's;
 * membership SQL is the station repository's (station_repo.c). A removal is announced
 * as user.removed on station_events in its transaction: wsd closes that user's sockets,
 * and station_access_role() ends their REST access with the membership row. An invite
 * is a cloud_outbox row and a NOTIFY cloud_outbox, so it waits for the cloud link.
 */
#include <libpq-fe.h>

#include "repo.h"
#include "runtime.h"
#include "service.h"
#include "station_repo.h"

static const char *const member_roles[] = { "owner", "admin", "member", NULL };

static const struct field user_create_body[] = {
	{ "email", FIELD_EMAIL, .required = true, .max = BOUND(254) },
	{ "name", FIELD_STRING, .nullable = true, .max = BOUND(100) },
	{ "password", FIELD_STRING, .required = true, .min = BOUND(8), .max = BOUND(128) },
	{ "role", FIELD_ENUM, .required = true, .values = member_roles, .check = member_role_check },
	{ 0 },
};

static const struct field member_patch_body[] = {
	{ "role", FIELD_ENUM, .required = true, .values = member_roles, .check = member_role_check },
	{ 0 },
};

static const struct field reset_password_body[] = {
	{ "newPassword", FIELD_STRING, .required = true, .min = BOUND(8), .max = BOUND(128) },
	{ 0 },
};

static const struct field invite_body[] = {
	{ "email", FIELD_EMAIL, .required = true, .max = BOUND(254) },
	{ "role", FIELD_ENUM, .required = true, .values = member_roles, .check = member_role_check },
	{ 0 },
};

/* user.removed {userId}: the payload wsd acts on. */
static const struct db_column removed_columns[] = { { "userId", DBK_STRING }, { 0 } };

/* GET /api/user-management/members — the members, by name, with their station role. */
static int member_list(struct request *req)
{
	return reply_rows(req, db_run(req, station_members), member_columns);
}

/* POST /api/user-management/users {email, name?, password, role} — 201, a local account. */
static int user_create(struct request *req)
{
	PGresult *user;
	if (member_create_or_reply(req, body_string(req, "email"), body_string(req, "name"),
				   body_string(req, "password"), body_string(req, "role"), &user))
		return req->status;
	return reply_row(req, user, user_columns);
}

/* PATCH /api/user-management/members/:userId {role} — the member with its new role. */
static int member_patch(struct request *req)
{
	const char *user_id = req_param(req, "userId"), *role = body_string(req, "role");
	if (member_change_allowed_or_reply(req, user_id, role))
		return req->status;
	return reply_row_or_404(req, db_run(req, station_set_role, user_id, role), member_columns, "member not found");
}

/* DELETE /api/user-management/members/:userId — 204; sessions revoked, sockets closed,
 * a local account deleted with its membership (a cloud account is cloud-sync's). */
static int member_remove(struct request *req)
{
	const char *user_id = req_param(req, "userId");
	PGresult *removed;
	if (member_change_allowed_or_reply(req, user_id, NULL) ||
	    !(removed = db_row(req, "member not found", station_remove_member, user_id)) ||
	    !db_run(req, user_revoke_sessions, user_id) || !db_run(req, um_delete_local_user, user_id) ||
	    announce_row_or_reply(req, "user.removed", removed, removed_columns, -1))
		return req->status;
	return reply_empty(req);
}

/* POST /api/user-management/members/:userId/reset-password {newPassword} — 204; the
 * user's sessions end (their access tokens at once). */
static int member_reset_password(struct request *req)
{
	if (member_reset_password_or_reply(req, req_param(req, "userId"), body_string(req, "newPassword")))
		return req->status;
	return reply_empty(req);
}

/* POST /api/user-management/invites {email, role} — 202, queued for the cloud link. */
static int invite_create(struct request *req)
{
	const char *email = body_string(req, "email");
	PGresult *member = db_run(req, station_member_by_email, email), *invite;
	if (!member)
		return req->status;
	if (PQntuples(member) > 0)
		return reply_error(req, 409, "email: already a member");
	invite = db_run(req, um_queue_invite, email, body_string(req, "role"), req->caller.user_id);
	if (!invite || notify_or_reply(req, "cloud_outbox", db_value(invite, 0, 0)))
		return req->status;
	return reply_row(req, invite, invite_columns);
}

/* GET /api/user-management/invites — newest first, with their delivery state. */
static int invite_list(struct request *req)
{
	return reply_rows(req, db_run(req, um_invites), invite_columns);
}

static const struct route user_management_routes[] = {
	{ "GET", "/api/user-management/members", member_list, WHO_ADMIN, .reply = REPLY_ROWS(member_columns),
	  .summary = "The members, by name, with their station role" },
	{ "POST", "/api/user-management/users", user_create, WHO_ADMIN, .body = user_create_body, .tx = TX_WRITE,
	  .status = 201, .reply = REPLY_ROW(user_columns), .errors = ERR_409,
	  .summary = "Add a local account as a member (an admin adds members only)" },
	{ "PATCH", "/api/user-management/members/:userId", member_patch, WHO_ADMIN, .body = member_patch_body,
	  .tx = TX_WRITE, .reply = REPLY_ROW(member_columns), .errors = ERR_403 | ERR_404 | ERR_409,
	  .summary = "Change a member's role (admins and owners: an owner only; never the last owner's)" },
	{ "DELETE", "/api/user-management/members/:userId", member_remove, WHO_ADMIN, .tx = TX_WRITE,
	  .reply = REPLY_NONE, .errors = ERR_403 | ERR_404 | ERR_409,
	  .summary = "Remove a member; their sessions and sockets end at once" },
	{ "POST", "/api/user-management/members/:userId/reset-password", member_reset_password, WHO_ADMIN,
	  .body = reset_password_body, .tx = TX_WRITE, .reply = REPLY_NONE, .errors = ERR_403 | ERR_404,
	  .summary = "Set a member's password; their sessions end" },
	{ "POST", "/api/user-management/invites", invite_create, WHO_ADMIN, .body = invite_body, .tx = TX_WRITE,
	  .status = 202, .reply = REPLY_ROW(invite_columns), .errors = ERR_409,
	  .summary = "Invite by email through the cloud; queued while offline" },
	{ "GET", "/api/user-management/invites", invite_list, WHO_ADMIN, .reply = REPLY_ROWS(invite_columns),
	  .summary = "Invites, newest first, with their delivery state" },
	{ 0 },
};

WORKER_MAIN("user-management", user_management_routes, NULL);
