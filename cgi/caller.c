/*
 * caller.c — who is calling, and may they call this route (SPEC §3).
 *
 * Credentials, in order: `Authorization: Bearer` (the agent token, else a JWT access
 * token), then `X-Device-Token` / `Device-Token`, then the `access_token` cookie.
 * Public routes ignore credentials entirely, so a stale cookie never blocks a login.
 * Cookie-carrying writes (any unsafe method that sends an auth cookie and is not
 * authenticated by a bearer token) must be application/json and, when an Origin is
 * sent, come from the station's own origin: the CSRF guard. "Has a bearer token" is
 * bearer_credential(), for the guard and for authentication alike, so an empty or blank
 * Authorization header can never switch the guard off while the cookie authenticates.
 *
 * A valid signature is not enough: every access token is checked against the database
 * (station_access_role(), sql/migrations/007_sign_in.sql) — its session must still be
 * live and its user still a member — and the role that authorizes is the member's role
 * now, not the token's claim. So logout, a revoked session, a password change, a
 * demotion or a removal take effect on the very next request.
 */
#include <string.h>
#include <strings.h>

#include "config.h"
#include "crypto.h"
#include "http_headers.h"
#include "internal.h"
#include "log.h"
#include "timeutil.h"
#include "uuid.h"

static const char *jwt_secret;
static const char *agent_token;

void caller_set_secrets(const char *jwt, const char *agent)
{
	jwt_secret = jwt;
	agent_token = agent;
}

const char *runtime_jwt_secret(void)
{
	return jwt_secret;
}

static enum caller_kind kind_of_role(const char *role)
{
	if (!role)
		return CALLER_ANONYMOUS;
	if (strcmp(role, "owner") == 0)
		return CALLER_OWNER;
	if (strcmp(role, "admin") == 0)
		return CALLER_ADMIN;
	if (strcmp(role, "member") == 0)
		return CALLER_MEMBER;
	return CALLER_ANONYMOUS;
}

/*
 * The session and role behind verified claims: 0 with the caller filled from the
 * member's current role, or the status replied (401 when the session ended or the user
 * is no longer a member; 503 when the database cannot say).
 */
static int admit_session(struct request *req, const struct access_claims *claims, bool via_cookie)
{
	if (!uuid_is_valid(claims->session_id))
		return reply_error(req, 401, "session is no longer valid");
	PGresult *res = db_run(req, runtime_access_role, claims->user_id, claims->session_id,
			       db_param_long(req, cfg_int("auth.session_max_days")));
	if (!res)
		return req->status;
	const char *role = PQntuples(res) == 1 ? db_value(res, 0, 0) : NULL;
	req->caller.kind = kind_of_role(role);
	if (req->caller.kind == CALLER_ANONYMOUS)
		return reply_error(req, 401, "session is no longer valid");
	req->caller.user_id = claims->user_id;
	req->caller.role = arena_strdup(req->arena, role);
	req->caller.session_id = claims->session_id;
	req->caller.via_cookie = via_cookie;
	return 0;
}

/* Fills req->caller from a JWT; 0 or the status already replied. */
static int admit_access_token(struct request *req, const char *token, bool via_cookie)
{
	struct access_claims claims;
	switch (jwt_verify_access(req->arena, jwt_secret, token, time_now(), &claims)) {
	case JWT_EXPIRED:
		return reply_error(req, 401, "access token expired");
	case JWT_INVALID:
		return reply_error(req, 401, "invalid access token");
	case JWT_VALID:
		break;
	}
	if (kind_of_role(claims.role) == CALLER_ANONYMOUS)
		return reply_error(req, 401, "invalid access token");
	return admit_session(req, &claims, via_cookie);
}

static int admit_device_token(struct request *req, const char *token)
{
	PGresult *res = db_run(req, runtime_device_by_token, token_hash(req->arena, token));
	if (!res)
		return req->status;
	if (PQntuples(res) == 0)
		return reply_error(req, 401, "invalid device token");
	req->caller.kind = CALLER_DEVICE;
	req->caller.device_id = arena_strdup(req->arena, db_value(res, 0, 0));
	req->caller.device_external_id = arena_strdup(req->arena, db_value(res, 0, 1));
	return 0;
}

/*
 * The Authorization header when the request has one that says anything: NULL when it is
 * absent, empty or blank. The one definition of "has a bearer token" (a header of
 * another scheme counts too: authentication then refuses it rather than fall back).
 */
static const char *bearer_credential(const struct request *req)
{
	const char *authorization = req_header(req, "HTTP_AUTHORIZATION");
	if (!authorization)
		return NULL;
	for (const char *p = authorization; *p; p++)
		if (*p != ' ' && *p != '\t')
			return authorization;
	return NULL;
}

static int authenticate(struct request *req)
{
	const char *authorization = bearer_credential(req);
	if (authorization) {
		if (strncasecmp(authorization, "Bearer ", 7) != 0)
			return reply_error(req, 401, "authorization: expected a Bearer token");
		const char *token = authorization + 7;
		while (*token == ' ')
			token++;
		if (agent_token && secret_equal(token, agent_token)) {
			req->caller.kind = CALLER_AGENT;
			return 0;
		}
		return admit_access_token(req, token, false);
	}
	const char *device_token = req_header(req, "HTTP_X_DEVICE_TOKEN");
	if (!device_token)
		device_token = req_header(req, "HTTP_DEVICE_TOKEN");
	if (device_token && *device_token)
		return admit_device_token(req, device_token);
	const char *cookie = req_cookie(req, "access_token");
	if (cookie && *cookie)
		return admit_access_token(req, cookie, true);
	return reply_error(req, 401, "authentication required");
}

static bool method_is_safe(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 || strcmp(method, "OPTIONS") == 0;
}

static bool origin_is_own(const struct request *req, const char *origin)
{
	return http_origin_allowed(origin, req->scheme, req->host, cfg_string("http.allowed_origins"));
}

/*
 * The CSRF guard for writes that a browser could send with its cookies alone. Only a
 * request that authentication will take by its bearer token is exempt; a public route
 * never authenticates, and may read the refresh cookie whatever else was sent.
 */
static int guard_cookie_write(struct request *req)
{
	if (method_is_safe(req->method) || (req->route->who != WHO_PUBLIC && bearer_credential(req)))
		return 0;
	if (!req_cookie(req, "access_token") && !req_cookie(req, "refresh_token"))
		return 0;
	const char *ct = req->content_type;
	if (!ct || strncasecmp(ct, "application/json", strlen("application/json")) != 0)
		return reply_error(req, 415, "content-type: cookie-authenticated requests must be application/json");
	if (req->origin && !origin_is_own(req, req->origin))
		return reply_error(req, 403, "origin: not allowed");
	return 0;
}

int caller_admit(struct request *req)
{
	int status = guard_cookie_write(req);
	if (status)
		return status;
	if (req->route->who == WHO_PUBLIC)
		return 0;
	status = authenticate(req);
	if (status)
		return status;
	if (!(req->route->who & req->caller.kind))
		return reply_error(req, 403, "not allowed for this account");
	return 0;
}
