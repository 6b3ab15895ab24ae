/*
 * sessions.c — which device usernames were let in with which token hash (see sessions.h).
 *
 * A plain array searched linearly: it holds at most one entry per device that connected
 * since the broker started (failed logins are never remembered), a few hundred on a
 * station. Hashes stay in memory only; nothing here logs.
 */
#include "sessions.h"

#include <stdlib.h>
#include <string.h>

void sessions_init(struct sessions *s)
{
	s->entries = NULL;
	s->count = s->capacity = 0;
}

void sessions_free(struct sessions *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->entries[i].username);
	free(s->entries);
	sessions_init(s);
}

struct session_entry *sessions_find(struct sessions *s, const char *username)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->entries[i].username, username) == 0)
			return &s->entries[i];
	return NULL;
}

static struct session_entry *add(struct sessions *s, const char *username)
{
	if (s->count == s->capacity) {
		size_t cap = s->capacity ? s->capacity * 2 : 64;
		struct session_entry *grown = realloc(s->entries, cap * sizeof *grown);
		if (!grown)
			return NULL;
		s->entries = grown;
		s->capacity = cap;
	}
	char *copy = strdup(username);
	if (!copy)
		return NULL;
	struct session_entry *e = &s->entries[s->count++];
	e->username = copy;
	e->token_hash[0] = '\0';
	e->drop_reason = NULL;
	return e;
}

static void set_hash(struct session_entry *e, const char *token_hash)
{
	size_t n = strlen(token_hash);
	if (n > SESSIONS_HASH_LEN)
		n = SESSIONS_HASH_LEN;
	memcpy(e->token_hash, token_hash, n);
	e->token_hash[n] = '\0';
}

int sessions_remember(struct sessions *s, const char *username, const char *token_hash)
{
	struct session_entry *e = sessions_find(s, username);
	if (e) {
		if (e->token_hash[0] && strcmp(e->token_hash, token_hash) != 0 && !e->drop_reason)
			e->drop_reason = "token changed";
		set_hash(e, token_hash);
		return 0;
	}
	if (!(e = add(s, username)))
		return -1;
	set_hash(e, token_hash);
	return 0;
}

int sessions_mark_drop(struct sessions *s, const char *username, const char *reason)
{
	struct session_entry *e = sessions_find(s, username);
	if (!e && !(e = add(s, username)))
		return -1;
	e->drop_reason = reason;
	return 0;
}

void sessions_drop_marked(struct sessions *s, void (*drop)(const char *username, const char *reason, void *ctx),
			  void *ctx)
{
	size_t i = 0;
	while (i < s->count) {
		struct session_entry *e = &s->entries[i];
		if (!e->drop_reason) {
			i++;
			continue;
		}
		drop(e->username, e->drop_reason, ctx);
		free(e->username);
		s->entries[i] = s->entries[--s->count]; /* order does not matter */
	}
}
