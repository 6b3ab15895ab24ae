/*
 * auth.h — who may open /ws (SPEC §3, §6), and the close codes wsd speaks.
 *
 * The handshake carries an access token as `?token=` or as the `access_token` cookie;
 * the query parameter wins when both are present (as Bearer wins over the cookie on
 * REST). The token is verified with jwt_verify_access, exactly as the REST workers do;
 * the cookie is read and the Origin of a cookie token checked by lib/http_headers.h, as
 * the REST workers read and check theirs.
 * Membership of the station is a database question and is asked elsewhere (repo.c).
 *
 * Pure code over libstation (no libwebsockets, no database): unit-tested by
 * tests/unit/test_wsd_auth.c. Nothing here may log or keep a token.
 */
#ifndef WSD_AUTH_H
#define WSD_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* Close codes (RFC 6455 §7.4 and SPEC §6). docs/websocket.md lists when each is sent. */
enum ws_close_code {
	WS_CLOSE_GOING_AWAY = 1001,    /* wsd is stopping */
	WS_CLOSE_POLICY = 1008,        /* no, bad or refused credentials; removed from the station */
	WS_CLOSE_TOO_BIG = 1009,       /* a client message over the size limit */
	WS_CLOSE_INTERNAL = 1011,      /* the database is unavailable: try again later */
	WS_CLOSE_TRY_AGAIN = 1013,     /* too many clients, or this client read too slowly */
	WS_CLOSE_TOKEN_EXPIRED = 4001, /* refresh the access token and reconnect */
};

/* The longest token accepted; longer ones are refused as invalid. */
#define AUTH_TOKEN_MAX 4096

struct ws_admission {
	int close_code;       /* 0 when admitted, else the code to close with */
	const char *reason;   /* short lower-case reason for the close frame and the log */
	const char *user_id;  /* admitted: the token's subject (a UUID), in the arena */
	const char *role;     /* admitted: owner, admin or member (the token's claim) */
	const char *session_id; /* admitted: the token's session (sid), "" when it names none */
	long long expires_at; /* admitted: the token's exp, seconds since the epoch */
};

/*
 * Decides on a token (NULL or "" when the request carried none): 1008 without one or
 * for an invalid one (bad signature, other alg, unknown role, subject not a UUID),
 * 4001 for an expired one, 0 with the claims otherwise.
 */
void auth_admit(struct arena *arena, const char *secret, const char *token, long long now,
		struct ws_admission *out);

#endif
