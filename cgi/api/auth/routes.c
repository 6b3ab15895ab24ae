/*
 * routes.c — api-auth: registration, login, refresh rotation, logout, the caller's
 * account, password and sessions (SPEC §3, §4 auth).
 *
 * The table at the bottom says who may call each route and what its body looks like;
 * the runtime enforces that (and the CSRF rules for cookie-carrying writes) before a
 * handler runs. Handlers stay thin: rules live in service.c, SQL in repo.c. Tokens
 * travel in the JSON body and as HttpOnly cookies; a password hash never leaves the
 * database through this module, and no token or password is ever logged.
 */
#include <libpq-fe.h>

#include "repo.h"
#include "runtime.h"
#include "service.h"

static const struct field register_body[] = {
	{ "email", FIELD_EMAIL, .required = true, .max = BOUND(254) },
	{ "password", FIELD_STRING, .required = true, .min = BOUND(8), .max = BOUND(128) },
	{ "name", FIELD_STRING, .nullable = true, .max = BOUND(100) },
	{ 0 },
};

static const struct field login_body[] = {
	{ "email", FIELD_EMAIL, .required = true, .max = BOUND(254) },
	{ "password", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(1024) },
	{ 0 },
};

/* The token may come as a cookie instead, so the body member is optional. */
static const struct field refresh_body[] = {
	{ "refreshToken", FIELD_STRING, .min = BOUND(1), .max = BOUND(512) },
	{ 0 },
};

static const struct field change_password_body[] = {
	{ "currentPassword", FIELD_STRING, .required = true, .min = BOUND(1), .max = BOUND(1024) },
	{ "newPassword", FIELD_STRING, .required = true, .min = BOUND(8), .max = BOUND(128) },
	{ 0 },
};

static const struct field session_reply[] = {
	{ "user", FIELD_OBJECT, .columns = user_columns },
	{ "accessToken", FIELD_STRING },
	{ "refreshToken", FIELD_STRING },
	{ "expiresIn", FIELD_INT, .description = "seconds until the access token expires" },
	{ 0 },
};

/* {user, accessToken, refreshToken, expiresIn} and both cookies. */
static int reply_session(struct request *req, const PGresult *user, const struct auth_tokens *tokens)
{
	auth_set_cookies(req, tokens);
	struct jw *w = reply_json(req);
	jw_object_begin(w);
	jw_key(w, "user");
	db_write_row(w, user, 0, user_columns);
	jw_member_string(w, "accessToken", tokens->access_token);
	jw_member_string(w, "refreshToken", tokens->refresh_token);
	jw_member_int(w, "expiresIn", tokens->access_ttl);
	jw_object_end(w);
	return reply_ok(req);
}

/* GET /api/auth/registration-status — {isRegistrationOpen, hasAdmin}. */
static int registration_status(struct request *req)
{
	return reply_row(req, db_run(req, auth_registration_status), auth_registration_columns);
}

/* POST /api/auth/register {email, password, name?} — 201, the first user only. */
static int register_owner(struct request *req)
{
	PGresult *user;
	struct auth_tokens tokens;
	if (auth_register_or_reply(req, body_string(req, "email"), body_string(req, "name"),
				   body_string(req, "password"), &user, &tokens))
		return req->status;
	return reply_session(req, user, &tokens);
}

/* POST /api/auth/login {email, password} */
static int login(struct request *req)
{
	PGresult *user;
	struct auth_tokens tokens;
	if (auth_login_or_reply(req, body_string(req, "email"), body_string(req, "password"), &user, &tokens))
		return req->status;
	return reply_session(req, user, &tokens);
}

/* POST /api/auth/refresh {refreshToken?} or the refresh_token cookie — a new pair. */
static int refresh(struct request *req)
{
	PGresult *user;
	struct auth_tokens tokens;
	if (auth_refresh_or_reply(req, auth_presented_refresh_token(req), &user, &tokens))
		return req->status;
	return reply_session(req, user, &tokens);
}

/* POST /api/auth/logout {refreshToken?} or the cookie — 204, also without a token. */
static int logout(struct request *req)
{
	if (auth_logout_or_reply(req, auth_presented_refresh_token(req)))
		return req->status;
	auth_clear_cookies(req);
	return reply_empty(req);
}

/* GET /api/auth/me — the caller's User JSON. */
static int me(struct request *req)
{
	PGresult *res = db_run(req, auth_user_by_id, req->caller.user_id);
	if (res && PQntuples(res) == 0)
		return reply_error(req, 401, "account no longer exists");
	return reply_row(req, res, user_columns);
}

/* POST /api/auth/change-password {currentPassword, newPassword} — 204; other sessions end.
 * No transaction: a wrong current password stays counted (the sign-in throttle). */
static int change_password(struct request *req)
{
	if (auth_change_password_or_reply(req, body_string(req, "currentPassword"), body_string(req, "newPassword")))
		return req->status;
	return reply_empty(req);
}

/* GET /api/auth/sessions — the caller's live sessions, most recently used first. */
static int sessions_list(struct request *req)
{
	const char *current = *req->caller.session_id ? req->caller.session_id : NULL;
	return reply_rows(req, db_run(req, auth_sessions, req->caller.user_id, current), auth_session_columns);
}

/* DELETE /api/auth/sessions/:id — 204; 404 unless it is a live session of the caller. */
static int session_revoke(struct request *req)
{
	if (!db_row(req, "session not found", auth_revoke_session, req->caller.user_id, req_param(req, "id")))
		return req->status;
	return reply_empty(req);
}

static const struct route auth_routes[] = {
	{ "GET", "/api/auth/registration-status", registration_status, WHO_PUBLIC,
	  .reply = REPLY_ROW(auth_registration_columns), .summary = "May the first account still register?" },
	{ "POST", "/api/auth/register", register_owner, WHO_PUBLIC, .body = register_body, .tx = TX_WRITE,
	  .status = 201, .reply = REPLY_OBJECT(session_reply), .errors = ERR_403,
	  .summary = "Create the owner account (only while no user exists)" },
	{ "POST", "/api/auth/login", login, WHO_PUBLIC, .body = login_body, .reply = REPLY_OBJECT(session_reply),
	  .errors = ERR_401 | ERR_429, .summary = "Sign in; tokens in the body and as cookies" },
	{ "POST", "/api/auth/refresh", refresh, WHO_PUBLIC, .body = refresh_body, .reply = REPLY_OBJECT(session_reply),
	  .errors = ERR_401, .summary = "Rotate the refresh token into a new pair" },
	{ "POST", "/api/auth/logout", logout, WHO_PUBLIC, .body = refresh_body, .reply = REPLY_NONE,
	  .summary = "End the session of the refresh token" },
	{ "GET", "/api/auth/me", me, WHO_MEMBER, .reply = REPLY_ROW(user_columns), .summary = "The caller" },
	{ "POST", "/api/auth/change-password", change_password, WHO_MEMBER, .body = change_password_body,
	  .reply = REPLY_NONE, .errors = ERR_429, .summary = "Change the password; other sessions end" },
	{ "GET", "/api/auth/sessions", sessions_list, WHO_MEMBER, .reply = REPLY_ROWS(auth_session_columns),
	  .summary = "The caller's live sessions" },
	{ "DELETE", "/api/auth/sessions/:id", session_revoke, WHO_MEMBER, .reply = REPLY_NONE,
	  .summary = "Revoke one of the caller's sessions" },
	{ 0 },
};

WORKER_MAIN("auth", auth_routes, NULL);
