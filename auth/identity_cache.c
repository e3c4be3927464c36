#include "identity_cache.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define KEY_MAX 272

struct entry {
	char key[KEY_MAX];
	uint64_t epoch;
	time_t loaded_at;
	int day;
	struct identity id; /* strings point into block */
	char *block;
};

static uint64_t *shared_epoch; /* one word shared by the whole pool */
static uint64_t private_epoch; /* unit tests and tools: no pool */
static struct entry entries[IDENTITY_CACHE_SLOTS];
static int ttl_seconds = IDENTITY_CACHE_TTL;

int identity_cache_init(int ttl)
{
	if (ttl < 0 || ttl > IDENTITY_CACHE_TTL)
		return -1;
	ttl_seconds = ttl;
	void *p = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return -1;
	shared_epoch = p;
	*shared_epoch = 1;
	return 0;
}

uint64_t identity_cache_epoch(void)
{
	return __atomic_load_n(shared_epoch ? shared_epoch : &private_epoch, __ATOMIC_SEQ_CST);
}

void identity_cache_invalidate(void)
{
	__atomic_fetch_add(shared_epoch ? shared_epoch : &private_epoch, 1, __ATOMIC_SEQ_CST);
}

static struct entry *slot_for(const char *key)
{
	size_t h = 5381;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = h * 33 + *p;
	return &entries[h % IDENTITY_CACHE_SLOTS];
}

static const char *copy_string(struct arena *arena, const char *s)
{
	return s ? arena_strdup(arena, s) : NULL;
}

const struct identity *identity_cache_get(struct arena *arena, const char *key, time_t now, int day)
{
	struct entry *e = slot_for(key);
	struct identity *id;

	if (!e->block || strcmp(e->key, key) != 0 || e->epoch != identity_cache_epoch() ||
	    e->day != day || now < e->loaded_at || now - e->loaded_at >= ttl_seconds)
		return NULL;
	id = arena_alloc(arena, sizeof(*id));
	*id = e->id;
	id->user_id = copy_string(arena, e->id.user_id);
	id->username = copy_string(arena, e->id.username);
	id->full_name = copy_string(arena, e->id.full_name);
	id->email = copy_string(arena, e->id.email);
	id->supervisor_id = copy_string(arena, e->id.supervisor_id);
	id->program = copy_string(arena, e->id.program);
	id->certified_until = copy_string(arena, e->id.certified_until);
	id->missing = copy_string(arena, e->id.missing);
	return id;
}

/* Appends s to block at *used; returns where it went, or NULL for NULL. */
static const char *pack(char *block, size_t *used, const char *s)
{
	char *at;

	if (!s)
		return NULL;
	at = block + *used;
	strcpy(at, s);
	*used += strlen(s) + 1;
	return at;
}

static size_t size_of(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

void identity_cache_put(const char *key, const struct identity *id, uint64_t epoch, time_t now,
			int day)
{
	struct entry *e = slot_for(key);
	size_t size, used = 0;

	if (strlen(key) >= KEY_MAX)
		return;
	size = size_of(id->user_id) + size_of(id->username) + size_of(id->full_name) +
	       size_of(id->email) + size_of(id->supervisor_id) + size_of(id->program) +
	       size_of(id->certified_until) + size_of(id->missing);
	free(e->block);
	e->block = malloc(size ? size : 1);
	if (!e->block) {
		/* Out of memory: this caller is simply not cached; the request goes on. */
		e->key[0] = '\0';
		return;
	}
	strcpy(e->key, key);
	e->epoch = epoch;
	e->loaded_at = now;
	e->day = day;
	e->id = *id;
	e->id.user_id = pack(e->block, &used, id->user_id);
	e->id.username = pack(e->block, &used, id->username);
	e->id.full_name = pack(e->block, &used, id->full_name);
	e->id.email = pack(e->block, &used, id->email);
	e->id.supervisor_id = pack(e->block, &used, id->supervisor_id);
	e->id.program = pack(e->block, &used, id->program);
	e->id.certified_until = pack(e->block, &used, id->certified_until);
	e->id.missing = pack(e->block, &used, id->missing);
}

void identity_cache_clear(void)
{
	for (size_t i = 0; i < IDENTITY_CACHE_SLOTS; i++) {
		free(entries[i].block);
		entries[i].block = NULL;
	}
}
