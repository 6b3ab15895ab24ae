/*
 * service.h — rules of the user-management module (api-user-management), SPEC §4:
 * who may give which role, who may act on whom, and the last owner.
 *
 * - Only an owner makes admins or owners (a role in a body: member_role_check), and only
 *   an owner changes, removes or resets the password of an admin or an owner; an admin
 *   manages members.
 * - The station always keeps an owner: a change that would take the role from the last
 *   one is a 409, decided under the lock of every owner row (station_lock_owners), so two
 *   owners demoting each other at the same moment cannot both succeed.
 *
 * Functions ending in _or_reply return 0 on success, or the status they have already
 * replied with (the handler then returns it). No SQL here.
 */
#ifndef STATION_API_USER_MANAGEMENT_SERVICE_H
#define STATION_API_USER_MANAGEMENT_SERVICE_H

#include <libpq-fe.h>

#include "runtime.h"

/* Field check of a role given in a body: 403 "role: only an owner may make admins or
 * owners" unless the value is member or the caller an owner. */
const char *member_role_check(const struct field_check_input *in, int *status);

/*
 * Before a role change (new_role) or a removal (new_role NULL) of member user_id, in the
 * route's transaction: locks the owners and the member, then refuses with 404 "member
 * not found", 403 when an admin acts on an admin or owner, 409 when the last owner would
 * lose the role. 0 when the change may go ahead; the locks hold until the transaction ends.
 */
int member_change_allowed_or_reply(struct request *req, const char *user_id, const char *new_role);

/* POST /users: a local account and its membership; *user its User JSON row. */
int member_create_or_reply(struct request *req, const char *email, const char *name, const char *password,
			   const char *role, PGresult **user);

/* POST /members/:userId/reset-password: a new password; every session of the user ends.
 * 404, 403 (an admin and an admin or owner; a cloud account) as its route says. */
int member_reset_password_or_reply(struct request *req, const char *user_id, const char *password);

#endif
