/*
 * repo.c — SQL of the user-management module (api-user-management). Every statement is
 * fixed text with parameters; INVITE_SELECT and invite_columns are one pair. The invite's
 * payload is what cloudd sends to the cloud: {email, role, invitedBy}.
 */
#include "repo.h"

#define INVITE_SELECT                                                                            \
	"o.id, o.payload->>'email', o.payload->>'role', o.payload->>'invitedBy', o.state, o.attempts, " \
	"o.last_error, o.created_at, o.sent_at"

const struct db_column invite_columns[] = {
	{ "id", DBK_STRING },
	{ "email", DBK_STRING },
	{ "role", DBK_STRING },
	{ "invitedBy", DBK_STRING },
	{ "state", DBK_STRING },
	{ "attempts", DBK_NUMBER },
	{ "lastError", DBK_STRING },
	{ "createdAt", DBK_TIME },
	{ "sentAt", DBK_TIME },
	{ 0 },
};

STATEMENT(um_insert_user,
	"INSERT INTO users AS u (email, name, role, source, password_hash) "
	"VALUES (lower($1::text), $2::text, $3::text, 'local', $4::text) "
	"RETURNING " USER_SELECT,
	.conflict = "email: already registered");

STATEMENT(um_delete_local_user, "DELETE FROM users WHERE id = $1::uuid AND source = 'local'");

STATEMENT(um_queue_invite,
	"INSERT INTO cloud_outbox AS o (kind, payload) "
	"VALUES ('invite', jsonb_build_object('email', lower($1::text), 'role', $2::text, 'invitedBy', $3::text)) "
	"RETURNING " INVITE_SELECT);

STATEMENT(um_invites,
	"SELECT " INVITE_SELECT " FROM cloud_outbox o WHERE o.kind = 'invite' "
	"ORDER BY o.created_at DESC, o.id LIMIT 200");
