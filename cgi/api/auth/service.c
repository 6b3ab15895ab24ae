/*
 * service.c — rules of the auth module (api-auth), SPEC §3 and §4 auth.
 *
 * A session is a refresh-token family: login and register open one, every refresh
 * rotates its token (the presented row is marked rotated and revoked, the next one is
 * stored in the same family, both in one transaction), and presenting a dead token of a
 * family kills the family, because only a thief or a replay can still hold it. The
 * access token names the family (claim sid), so a caller knows its own session.
 *
 * Login answers an unknown email and a wrong password with the same 401 after the same
 * bcrypt work. Failed sign-ins (login, and change-password's current password) are
 * counted per source and per account from that source; consecutive failures lock that
 * pair, or the whole source, for auth_lock_seconds, and a lock answers 429 before any
 * password is looked at (docs/security.md, "Sign-in and sessions"). Both routes run
 * without a transaction, so a counted failure stays counted.
 *
 * This file must never log or return a password, a hash or a clear refresh token
 * (other than in the one reply that hands the token out).
 */
#include "service.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "log.h"
#include "repo.h"
#include "station_repo.h"
#include "timeutil.h"
#include "uuid.h"

#define LOCK_FIRST_SECONDS 60L
#define LOCK_MAX_SECONDS (15L * 60)
#define USER_AGENT_MAX 200

static const char MSG_INVALID_LOGIN[] = "invalid email or password";
static const char MSG_LOCKED[] = "too many failed logins; try again later";
static const char MSG_INVALID_REFRESH[] = "invalid refresh token";
static const char MSG_REUSED_REFRESH[] = "refresh token reuse detected";

static long access_ttl(void)
{
	return cfg_int("auth.access_ttl");
}

static long refresh_ttl(void)
{
	return cfg_int("auth.refresh_ttl");
}

static int bcrypt_cost(void)
{
	return (int)cfg_int("auth.bcrypt_cost");
}

static long session_max_days(void)
{
	return cfg_int("auth.session_max_days");
}

long auth_lock_seconds(long failures, long threshold)
{
	if (failures < threshold)
		return 0;
	long doublings = failures - threshold;
	if (doublings >= 4) /* 60 s << 4 already passes the cap */
		return LOCK_MAX_SECONDS;
	long seconds = LOCK_FIRST_SECONDS << doublings;
	return seconds < LOCK_MAX_SECONDS ? seconds : LOCK_MAX_SECONDS;
}

const char *auth_presented_refresh_token(const struct request *req)
{
	const char *token = body_string(req, "refreshToken");
	if (token && *token)
		return token;
	token = req_cookie(req, "refresh_token");
	return token && *token ? token : NULL;
}

void auth_set_cookies(struct request *req, const struct auth_tokens *tokens)
{
	reply_cookie(req, "access_token", tokens->access_token, "/", tokens->access_ttl);
	reply_cookie(req, "refresh_token", tokens->refresh_token, "/api/auth", tokens->refresh_ttl);
}

void auth_clear_cookies(struct request *req)
{
	reply_cookie(req, "access_token", NULL, "/", 0);
	reply_cookie(req, "refresh_token", NULL, "/api/auth", 0);
}

/* The User-Agent as stored for the sessions list: printable ASCII, bounded; NULL when absent. */
static const char *user_agent_for_storage(struct arena *arena, const char *user_agent)
{
	if (!user_agent || !*user_agent)
		return NULL;
	size_t len = strlen(user_agent);
	char *out = arena_strndup(arena, user_agent, len < USER_AGENT_MAX ? len : USER_AGENT_MAX);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	return out;
}

/* The token pair's lifetimes and a new clear refresh token. */
static void tokens_init(struct request *req, struct auth_tokens *tokens)
{
	tokens->access_ttl = access_ttl();
	tokens->refresh_ttl = refresh_ttl();
	tokens->refresh_token = token_new(req->arena);
}

/* Stores the refresh token of a new session (a new family); 0 or the status replied. */
static int store_new_session_or_reply(struct request *req, const char *user_id, struct auth_tokens *tokens)
{
	tokens_init(req, tokens);
	PGresult *res = db_run(req, auth_insert_refresh, user_id, token_hash(req->arena, tokens->refresh_token),
			       user_agent_for_storage(req->arena, req->user_agent), db_param_long(req, tokens->refresh_ttl));
	if (!res)
		return req->status;
	tokens->family_id = db_value(res, 0, 0);
	return 0;
}

/* Signs the access token of the session in tokens (claims: user, role, sid = family). */
static int sign_access_token_or_reply(struct request *req, const PGresult *user, struct auth_tokens *tokens)
{
	long long now = time_now();
	struct access_claims claims = {
		.user_id = db_value(user, 0, USER_COL_ID),
		.role = db_value(user, 0, USER_COL_ROLE),
		.session_id = tokens->family_id,
		.issued_at = now,
		.expires_at = now + tokens->access_ttl,
	};
	tokens->access_token = jwt_issue_access(req->arena, runtime_jwt_secret(), &claims);
	return tokens->access_token ? 0 : reply_error(req, 500, "cannot sign the access token");
}

/* A new session for a user row: its refresh token stored, its access token signed. */
static int open_session_or_reply(struct request *req, const PGresult *user, struct auth_tokens *tokens)
{
	if (store_new_session_or_reply(req, db_value(user, 0, USER_COL_ID), tokens))
		return req->status;
	return sign_access_token_or_reply(req, user, tokens);
}

/* ---- registration (in the route's transaction) ---- */

static int reply_registration_closed(struct request *req)
{
	return reply_error(req, 403, "registration is closed");
}

int auth_register_or_reply(struct request *req, const char *email, const char *name, const char *password,
			   PGresult **user, struct auth_tokens *tokens)
{
	/* Cheap refusal first: a closed registration costs no bcrypt work. */
	PGresult *status = db_run(req, auth_registration_status);
	if (!status)
		return req->status;
	if (!db_bool(status, 0, REG_COL_OPEN))
		return reply_registration_closed(req);
	const char *hash = password_hash(req->arena, password, bcrypt_cost());
	if (!hash)
		return reply_error(req, 500, "cannot hash the password");
	if (!db_run(req, auth_lock_registration) || !(*user = db_run(req, auth_insert_first_user, email, name, hash)))
		return req->status;
	if (PQntuples(*user) == 0) /* someone registered first */
		return reply_registration_closed(req);
	PGresult *member = db_run(req, station_add_member, db_value(*user, 0, USER_COL_ID), "owner");
	if (!member)
		return req->status;
	if (PQntuples(member) == 0)
		return reply_error(req, 500, "no station row: station-migrate has not run");
	if (open_session_or_reply(req, *user, tokens))
		return req->status;
	log_fields(LOG_INFO, "owner registered", "userId", db_value(*user, 0, USER_COL_ID), NULL);
	return 0;
}

/* ---- sign-in throttle (no transaction: a failure stays counted) ---- */

/* The client's address as nginx saw it; one shared key when there is none (a FastCGI
 * client other than nginx), so such requests are throttled together. */
static const char *request_source(const struct request *req)
{
	unsigned char addr[sizeof(struct in6_addr)];
	const char *ip = req->remote_addr;
	if (ip && (inet_pton(AF_INET, ip, addr) == 1 || inet_pton(AF_INET6, ip, addr) == 1))
		return ip;
	return "0.0.0.0";
}

static int reply_locked(struct request *req, long retry_after)
{
	reply_header(req, "Retry-After", arena_printf(req->arena, "%ld", retry_after));
	return reply_error(req, 429, "%s", MSG_LOCKED);
}

/* 429 while the source, or this account from it, is locked; 0 otherwise. */
static int sign_in_allowed_or_reply(struct request *req, const char *email)
{
	PGresult *res = db_run(req, auth_sign_in_wait, request_source(req), email);
	if (!res)
		return req->status;
	long wait = atol(db_value(res, 0, 0));
	return wait > 0 ? reply_locked(req, wait) : 0;
}

/* Counts a failed sign-in for the source and for the account from it, and locks the row
 * that reached its threshold; 0 or the status replied. */
static int sign_in_failed_or_reply(struct request *req, const char *email)
{
	const char *source = request_source(req);
	PGresult *res = db_run(req, auth_sign_in_failed, source, email);
	if (!res)
		return req->status;
	for (int row = 0; row < PQntuples(res); row++) {
		bool whole_source = db_bool(res, row, SIGN_IN_COL_WHOLE_SOURCE);
		long threshold = cfg_int(whole_source ? "auth.source_lockout_failures" : "auth.lockout_failures");
		long seconds = auth_lock_seconds(atol(db_value(res, row, SIGN_IN_COL_FAILURES)), threshold);
		if (seconds == 0)
			continue;
		const char *account = whole_source ? "" : email;
		if (!db_run(req, auth_sign_in_lock, source, account, db_param_long(req, seconds)))
			return req->status;
		log_fields(LOG_WARN, whole_source ? "source locked after failed sign-ins" : "account locked for one source",
			   "source", source, "seconds", arena_printf(req->arena, "%ld", seconds), "account", account, NULL);
	}
	return 0;
}

/* ---- login ---- */

static int reply_invalid_login(struct request *req)
{
	return reply_error(req, 401, "%s", MSG_INVALID_LOGIN);
}

/* bcrypt work in every case, so a missing hash answers as slowly as a wrong password. */
static bool password_matches(const char *password, const char *hash)
{
	if (!hash) {
		password_verify_dummy(password);
		return false;
	}
	return password_verify(password, hash);
}

int auth_login_or_reply(struct request *req, const char *email, const char *password, PGresult **user,
			struct auth_tokens *tokens)
{
	if (sign_in_allowed_or_reply(req, email))
		return req->status;
	PGresult *account = db_run(req, auth_login_account, email);
	if (!account)
		return req->status;
	const char *hash = PQntuples(account) == 1 ? db_value(account, 0, LOGIN_COL_PASSWORD_HASH) : NULL;
	if (!password_matches(password, hash)) /* an unknown email too: the same work, counted alike */
		return sign_in_failed_or_reply(req, email) ? req->status : reply_invalid_login(req);
	const char *user_id = db_value(account, 0, USER_COL_ID);
	if (!db_run(req, auth_sign_in_succeeded, request_source(req), email) ||
	    !(*user = db_run(req, auth_record_login, user_id)))
		return req->status;
	if (PQntuples(*user) == 0) /* deleted in between */
		return reply_invalid_login(req);
	return open_session_or_reply(req, *user, tokens);
}

/* ---- refresh rotation and reuse detection (no transaction: a revocation stays done) ---- */

static int reply_invalid_refresh(struct request *req)
{
	auth_clear_cookies(req);
	return reply_error(req, 401, "%s", MSG_INVALID_REFRESH);
}

/* A token that could not be rotated: unknown, expired, or dead — then its family dies too. */
static int reject_refresh_or_reply(struct request *req, const char *token_hash)
{
	PGresult *state = db_run(req, auth_refresh_state, token_hash);
	if (!state)
		return req->status;
	if (PQntuples(state) == 0 || !db_bool(state, 0, TOKEN_COL_REVOKED))
		return reply_invalid_refresh(req);
	const char *family_id = db_value(state, 0, TOKEN_COL_FAMILY_ID);
	if (!db_run(req, auth_revoke_family, family_id))
		return req->status;
	log_fields(LOG_WARN, "refresh token reuse detected; session revoked", "userId",
		   db_value(state, 0, TOKEN_COL_USER_ID), "sessionId", family_id, NULL);
	auth_clear_cookies(req);
	return reply_error(req, 401, "%s", MSG_REUSED_REFRESH);
}

int auth_refresh_or_reply(struct request *req, const char *refresh_token, PGresult **user,
			  struct auth_tokens *tokens)
{
	if (!refresh_token) /* neither in the body nor as a cookie: nothing to check */
		return reply_error(req, 400, "refreshToken: is required");
	const char *hash = token_hash(req->arena, refresh_token);
	tokens_init(req, tokens);
	*user = db_run(req, auth_rotate_refresh, hash, token_hash(req->arena, tokens->refresh_token),
		       user_agent_for_storage(req->arena, req->user_agent), db_param_long(req, tokens->refresh_ttl),
		       db_param_long(req, session_max_days()));
	if (!*user)
		return req->status;
	if (PQntuples(*user) == 0)
		return reject_refresh_or_reply(req, hash);
	tokens->family_id = db_value(*user, 0, ROTATE_COL_FAMILY_ID);
	return sign_access_token_or_reply(req, *user, tokens);
}

/* ---- logout and passwords ---- */

int auth_logout_or_reply(struct request *req, const char *refresh_token)
{
	if (!refresh_token)
		return 0;
	return db_run(req, auth_revoke_family_of, token_hash(req->arena, refresh_token)) ? 0 : req->status;
}

/* The session to keep when revoking the others: the caller's, if its token names one. */
static const char *caller_family(const struct request *req)
{
	const char *sid = req->caller.session_id;
	return sid && uuid_is_valid(sid) ? sid : NULL;
}

int auth_change_password_or_reply(struct request *req, const char *current_password, const char *new_password)
{
	const char *user_id = req->caller.user_id;
	PGresult *cred = db_run(req, auth_credentials, user_id);
	if (!cred)
		return req->status;
	if (PQntuples(cred) == 0)
		return reply_error(req, 401, "account no longer exists");
	if (strcmp(db_value(cred, 0, CRED_COL_SOURCE), "cloud") == 0)
		return reply_error(req, 403, "password: managed by the cloud for this account");
	const char *email = db_value(cred, 0, CRED_COL_EMAIL);
	if (sign_in_allowed_or_reply(req, email))
		return req->status;
	if (!password_matches(current_password, db_value(cred, 0, CRED_COL_PASSWORD_HASH)))
		return sign_in_failed_or_reply(req, email) ? req->status
							   : reply_error(req, 400, "currentPassword: incorrect");
	const char *hash = password_hash(req->arena, new_password, bcrypt_cost());
	if (!hash)
		return reply_error(req, 500, "cannot hash the password");
	if (!db_run(req, auth_sign_in_succeeded, request_source(req), email) ||
	    !db_run(req, user_set_password, user_id, hash, caller_family(req)))
		return req->status;
	log_fields(LOG_INFO, "password changed; other sessions revoked", "userId", user_id, NULL);
	return 0;
}
