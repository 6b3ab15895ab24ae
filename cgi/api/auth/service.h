/*
 * service.h — rules of the auth module (api-auth): the first registration, login with
 * the sign-in throttle (per source, and per account from a source), refresh-token rotation with reuse detection, and the token pair
 * every session hands out (access JWT + refresh token, in the body and as cookies).
 *
 * Functions ending in _or_reply return 0 on success, or the status they have already
 * replied with (the handler then returns it).
 */
#ifndef STATION_API_AUTH_SERVICE_H
#define STATION_API_AUTH_SERVICE_H

#include <libpq-fe.h>

#include "runtime.h"

/* What a session hands out. The clear refresh token exists only in this reply. */
struct auth_tokens {
	const char *access_token;
	const char *refresh_token;
	const char *family_id;   /* the session id (refresh-token family) */
	long access_ttl;         /* seconds: expiresIn, the access cookie's Max-Age */
	long refresh_ttl;        /* seconds: the refresh cookie's Max-Age */
};

/*
 * Seconds a throttle row (a source, or an account from a source) stays locked after
 * `failures` consecutive failed sign-ins: 0 below `threshold`, 60 at it, doubling with
 * each further failure, at most 15 minutes.
 */
long auth_lock_seconds(long failures, long threshold);

/* The refresh token a request presents: body "refreshToken", else the refresh_token cookie. */
const char *auth_presented_refresh_token(const struct request *req);

/*
 * POST /api/auth/register: creates the owner (and its station membership) if no user
 * exists yet, and opens its first session. *user: a row of user_columns.
 * 403 "registration is closed" once any user exists.
 */
int auth_register_or_reply(struct request *req, const char *email, const char *name, const char *password,
			   PGresult **user, struct auth_tokens *tokens);

/*
 * POST /api/auth/login: checks the password (the same 401 for an unknown email, in the
 * same time), applies the throttle (429 + Retry-After while the source or the account from
 * it is locked, before any password is checked; a failure is counted) and opens a session.
 */
int auth_login_or_reply(struct request *req, const char *email, const char *password, PGresult **user,
			struct auth_tokens *tokens);

/*
 * POST /api/auth/refresh: rotates a live refresh token into a new pair of the same
 * family. A token already rotated or revoked revokes its whole family (401 "refresh token
 * reuse detected"); an unknown or expired one is 401 "invalid refresh token"; none at all
 * (no body member, no cookie) is 400 "refreshToken: is required".
 */
int auth_refresh_or_reply(struct request *req, const char *refresh_token, PGresult **user,
			  struct auth_tokens *tokens);

/* POST /api/auth/logout: revokes the family of the token (nothing when unknown). */
int auth_logout_or_reply(struct request *req, const char *refresh_token);

/*
 * POST /api/auth/change-password for the caller: 400 "currentPassword: incorrect" when
 * the current password does not match (a failed sign-in, counted and throttled like a
 * login: 429 while locked), 403 for cloud accounts; on success every other session of
 * the caller is revoked.
 */
int auth_change_password_or_reply(struct request *req, const char *current_password, const char *new_password);

/* Sets the access_token and refresh_token cookies of SPEC §3. */
void auth_set_cookies(struct request *req, const struct auth_tokens *tokens);
/* Clears both cookies. */
void auth_clear_cookies(struct request *req);

#endif
