/*
 * client_ids.c — which identity holds each MQTT client id (see client_ids.h for the
 * rules and why). One hash entry per connected client and per persistent session.
 */
#include "client_ids.h"

#include <stdlib.h>
#include <string.h>

struct client_hold {
	const void *holder; /* the connection holding it; NULL: a persistent session without one */
	bool persistent;
	char username[]; /* "" for anonymous */
};

void client_ids_init(struct client_ids *c, const char *daemon_username)
{
	strmap_init(&c->held);
	c->daemon_username = daemon_username;
}

void client_ids_free(struct client_ids *c)
{
	strmap_free(&c->held, free);
}

static struct client_hold *hold_new(const char *username, const void *holder, bool persistent)
{
	size_t n = strlen(username);
	struct client_hold *h = malloc(sizeof *h + n + 1);
	if (!h)
		return NULL;
	h->holder = holder;
	h->persistent = persistent;
	memcpy(h->username, username, n + 1);
	return h;
}

const char *client_ids_claim(struct client_ids *c, const char *client_id, const char *username, const void *holder,
			     bool persistent, const char **owner)
{
	const char *who = username ? username : "";
	struct client_hold *h = strmap_get(&c->held, client_id);
	*owner = NULL;

	if (strcmp(client_id, who) != 0) {
		if (strcmp(client_id, c->daemon_username) == 0) {
			*owner = c->daemon_username;
			return "the daemons' client id";
		}
		if (h && strcmp(h->username, who) != 0) {
			*owner = h->username;
			return "held by another identity";
		}
	}
	/* Rule 1 or 4, or the same identity again: the hold is (now) this connection's. */
	struct client_hold *fresh = hold_new(who, holder, persistent);
	void *old = NULL;
	if (!fresh || strmap_put(&c->held, client_id, fresh, &old) != 0) {
		free(fresh);
		return "out of memory";
	}
	free(old);
	return NULL;
}

void client_ids_release(struct client_ids *c, const char *client_id, const void *holder)
{
	struct client_hold *h = strmap_get(&c->held, client_id);
	if (!h || h->holder != holder)
		return;
	if (h->persistent)
		h->holder = NULL;
	else
		free(strmap_remove(&c->held, client_id));
}
