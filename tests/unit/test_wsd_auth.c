/*
 * test_wsd_auth.c — who may open /ws: a token is admitted, refused with 1008, or refused
 * with 4001 exactly as docs/websocket.md says, with the REST workers' verification
 * (jwt_verify_access). The cookie and the Origin guard are lib/http_headers.c, tested by
 * test_http_headers.c.
 */
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "tap.h"

static const char secret[] = "0123456789abcdef0123456789abcdef-test";
static const char user[] = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";

static const char *issue(struct arena *a, const char *key, const char *sub, const char *role, long long exp)
{
	struct access_claims c = { .user_id = sub, .role = role, .session_id = "", .issued_at = 1000, .expires_at = exp };
	return jwt_issue_access(a, key, &c);
}

int main(void)
{
	struct arena *a = arena_new();

	struct ws_admission ad;
	long long now = 2000;
	auth_admit(a, secret, NULL, now, &ad);
	ok(ad.close_code == 1008, "no token: 1008");
	is_str(ad.reason, "access token required", "no token: its reason");
	auth_admit(a, secret, "", now, &ad);
	ok(ad.close_code == 1008, "an empty token: 1008");
	auth_admit(a, secret, "not-a-jwt", now, &ad);
	ok(ad.close_code == 1008, "garbage: 1008");
	is_str(ad.reason, "invalid access token", "garbage: its reason");

	auth_admit(a, secret, issue(a, secret, user, "member", now + 900), now, &ad);
	ok(ad.close_code == 0, "a valid member token is admitted");
	is_str(ad.user_id, user, "with its subject");
	is_str(ad.role, "member", "and its role");
	ok(ad.expires_at == now + 900, "and its exp");

	auth_admit(a, secret, issue(a, secret, user, "owner", now), now, &ad);
	ok(ad.close_code == 4001, "a token whose exp is now: 4001");
	is_str(ad.reason, "token expired", "expired: its reason");
	auth_admit(a, secret, issue(a, secret, user, "admin", now - 60), now, &ad);
	ok(ad.close_code == 4001, "a token expired a minute ago: 4001");

	auth_admit(a, secret, issue(a, "another-secret-of-32-characters-at-least", user, "admin", now + 900), now, &ad);
	ok(ad.close_code == 1008, "signed with another secret: 1008");
	auth_admit(a, secret, issue(a, secret, user, "guest", now + 900), now, &ad);
	ok(ad.close_code == 1008, "an unknown role: 1008");
	auth_admit(a, secret, issue(a, secret, "42", "member", now + 900), now, &ad);
	ok(ad.close_code == 1008, "a subject that is not a UUID: 1008");

	const char *good = issue(a, secret, user, "member", now + 900);
	char *tampered = arena_strdup(a, good);
	tampered[strlen(tampered) - 2] = tampered[strlen(tampered) - 2] == 'A' ? 'B' : 'A';
	auth_admit(a, secret, tampered, now, &ad);
	ok(ad.close_code == 1008, "a tampered signature: 1008");
	auth_admit(a, secret, arena_printf(a, "%s.x", good), now, &ad);
	ok(ad.close_code == 1008, "trailing bytes: 1008");

	char *huge = arena_alloc(a, AUTH_TOKEN_MAX + 2);
	memset(huge, 'a', AUTH_TOKEN_MAX + 1);
	auth_admit(a, secret, huge, now, &ad);
	ok(ad.close_code == 1008, "a token over AUTH_TOKEN_MAX: 1008");

	arena_destroy(a);
	return done();
}
