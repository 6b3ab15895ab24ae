/*
 * strmap.h — a string-keyed hash table of pointers, for the plugin's per-client
 * bookkeeping that is looked up on every message (rate budgets) or every login (client
 * ids). Keys are copied; values are the caller's. Pure: no I/O, no broker calls.
 *
 * Open addressing with linear probing and backward-shift deletion (no tombstones), grown
 * at 3/4 load. Iteration order is unspecified, and removing during iteration is only
 * allowed through strmap_remove_at().
 */
#ifndef STATION_MQTT_STRMAP_H
#define STATION_MQTT_STRMAP_H

#include <stddef.h>

struct strmap_slot {
	char *key; /* NULL: empty */
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t capacity; /* a power of two, or 0 */
	size_t count;
};

void strmap_init(struct strmap *m);

/* Frees the keys and the table; free_value (may be NULL) is called on every value. */
void strmap_free(struct strmap *m, void (*free_value)(void *));

void *strmap_get(const struct strmap *m, const char *key);

/* Sets key's value (replacing an older one, which is returned through *old if given). -1 when out of memory. */
int strmap_put(struct strmap *m, const char *key, void *value, void **old);

/* Removes key; returns its value, or NULL when absent. */
void *strmap_remove(struct strmap *m, const char *key);

/*
 * Iteration: for (size_t i = 0; i < m->capacity; i++) if (m->slots[i].key) …
 * strmap_remove_at(m, &i) removes slot i and leaves i where the loop's i++ continues
 * correctly (an entry may be shifted into slot i; it is then visited next).
 */
void *strmap_remove_at(struct strmap *m, size_t *i);

#endif
