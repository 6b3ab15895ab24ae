/*
 * strmap.c — string-keyed hash table of pointers (see strmap.h). FNV-1a, linear probing,
 * backward-shift deletion, so a lookup never walks past the first empty slot.
 */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash_of(const char *key)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

void strmap_init(struct strmap *m)
{
	m->slots = NULL;
	m->capacity = m->count = 0;
}

void strmap_free(struct strmap *m, void (*free_value)(void *))
{
	for (size_t i = 0; i < m->capacity; i++) {
		if (!m->slots[i].key)
			continue;
		free(m->slots[i].key);
		if (free_value)
			free_value(m->slots[i].value);
	}
	free(m->slots);
	strmap_init(m);
}

static size_t find(const struct strmap *m, const char *key)
{
	size_t mask = m->capacity - 1;
	for (size_t i = hash_of(key) & mask;; i = (i + 1) & mask)
		if (!m->slots[i].key || strcmp(m->slots[i].key, key) == 0)
			return i;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->capacity)
		return NULL;
	size_t i = find(m, key);
	return m->slots[i].key ? m->slots[i].value : NULL;
}

static int grow(struct strmap *m)
{
	size_t capacity = m->capacity ? m->capacity * 2 : 64;
	struct strmap_slot *slots = calloc(capacity, sizeof *slots);
	if (!slots)
		return -1;
	struct strmap old = *m;
	m->slots = slots;
	m->capacity = capacity;
	for (size_t i = 0; i < old.capacity; i++)
		if (old.slots[i].key)
			m->slots[find(m, old.slots[i].key)] = old.slots[i];
	free(old.slots);
	return 0;
}

int strmap_put(struct strmap *m, const char *key, void *value, void **old)
{
	if (old)
		*old = NULL;
	if ((m->count + 1) * 4 > m->capacity * 3 && grow(m) != 0)
		return -1;
	size_t i = find(m, key);
	if (m->slots[i].key) {
		if (old)
			*old = m->slots[i].value;
		m->slots[i].value = value;
		return 0;
	}
	char *copy = strdup(key);
	if (!copy)
		return -1;
	m->slots[i].key = copy;
	m->slots[i].value = value;
	m->count++;
	return 0;
}

/* Empties slot i and shifts later entries of its probe run back, so no gap breaks a run. */
static void *remove_slot(struct strmap *m, size_t i)
{
	size_t mask = m->capacity - 1;
	void *value = m->slots[i].value;
	free(m->slots[i].key);
	m->slots[i].key = NULL;
	m->count--;
	for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		size_t home = hash_of(m->slots[j].key) & mask;
		/* j's entry may move to i when its home is not within (i, j] (cyclically). */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = NULL;
			i = j;
		}
	}
	return value;
}

void *strmap_remove(struct strmap *m, const char *key)
{
	if (!m->capacity)
		return NULL;
	size_t i = find(m, key);
	return m->slots[i].key ? remove_slot(m, i) : NULL;
}

void *strmap_remove_at(struct strmap *m, size_t *i)
{
	void *value = remove_slot(m, *i);
	if (m->slots[*i].key)
		(*i)--; /* an entry moved into slot i: the loop's i++ visits it */
	return value;
}
