/*
 * SQLite's memory, through a per-thread cache of small blocks.
 *
 * Debian builds SQLite with SQLITE_OMIT_LOOKASIDE (PRAGMA compile_options),
 * so every small allocation a statement makes (cursors, records, copies of
 * column values) is a malloc and a free: about a hundred per
 * DescribeLoadBalancers. glibc's per-thread cache holds 7 blocks of a size,
 * fewer than a statement keeps live, so most of them went to the arena's
 * slow path (malloc, free and their internals: ~7% of a describe's time).
 * Here a freed block of up to DB_MEM_SMALL bytes waits in the freeing
 * thread's list for its size class and is handed out again without a
 * lock; a thread keeps at most DB_MEM_CACHE_BYTES, the rest goes back to
 * malloc. It is SQLite's own lookaside idea (sqlite.org/malloc.html),
 * shared by a thread's statements instead of per connection.
 *
 * Each block has a header before what SQLite sees: its size class (or its
 * size, for a large block) and, while cached, the next cached block. Under
 * AddressSanitizer a cached block is poisoned, so a use after free is
 * still caught.
 */
#include "db_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define DB_MEM_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define DB_MEM_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define DB_MEM_POISON(p, n) ((void)(p), (void)(n))
#define DB_MEM_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define DB_MEM_STEP 16
#define DB_MEM_SMALL 1024
#define DB_MEM_CLASSES (DB_MEM_SMALL / DB_MEM_STEP)
#define DB_MEM_CACHE_BYTES (256 * 1024)

/* 16 bytes, so that what SQLite gets stays 16-byte aligned as malloc's. */
struct db_mem_header {
	size_t size; /* rounded to DB_MEM_STEP when small */
	struct db_mem_header *next;
};

struct db_mem_cache {
	struct db_mem_header *free[DB_MEM_CLASSES];
	size_t bytes;
};

static pthread_key_t db_mem_key;
static __thread struct db_mem_cache *db_mem_mine;

static struct db_mem_header *
db_mem_header(void *p)
{
	return (struct db_mem_header *)p - 1;
}

static size_t
db_mem_round(size_t n)
{
	return n <= DB_MEM_SMALL
	           ? (n + DB_MEM_STEP - 1) & ~(size_t)(DB_MEM_STEP - 1)
	           : n;
}

/* The free list of a small size (a multiple of DB_MEM_STEP). */
static struct db_mem_header **
db_mem_list(struct db_mem_cache *c, size_t size)
{
	return &c->free[size / DB_MEM_STEP - 1];
}

static void
db_mem_drain(struct db_mem_cache *c)
{
	for (int i = 0; i < DB_MEM_CLASSES; i++) {
		while (c->free[i]) {
			struct db_mem_header *h = c->free[i];
			c->free[i] = h->next;
			DB_MEM_UNPOISON(h + 1, h->size);
			free(h);
		}
	}
	c->bytes = 0;
}

/* At thread exit (the key's destructor) and in db_mem_release. */
static void
db_mem_cache_free(void *arg)
{
	struct db_mem_cache *c = arg;
	/* Run in the exiting thread: a later free there starts anew. */
	if (c == db_mem_mine)
		db_mem_mine = NULL;
	db_mem_drain(c);
	free(c);
}

static struct db_mem_cache *
db_mem_cache(void)
{
	if (!db_mem_mine) {
		struct db_mem_cache *c = calloc(1, sizeof *c);
		if (!c || pthread_setspecific(db_mem_key, c) != 0) {
			free(c);
			return NULL;
		}
		db_mem_mine = c;
	}
	return db_mem_mine;
}

static void *
db_mem_malloc(int n)
{
	if (n <= 0)
		return NULL;
	size_t size = db_mem_round((size_t)n);
	if (size <= DB_MEM_SMALL) {
		struct db_mem_cache *c = db_mem_mine;
		struct db_mem_header *h = c ? *db_mem_list(c, size) : NULL;
		if (h) {
			*db_mem_list(c, size) = h->next;
			c->bytes -= size;
			DB_MEM_UNPOISON(h + 1, size);
			return h + 1;
		}
	}
	struct db_mem_header *h = malloc(sizeof *h + size);
	if (!h)
		return NULL;
	h->size = size;
	return h + 1;
}

static void
db_mem_free(void *p)
{
	if (!p)
		return;
	struct db_mem_header *h = db_mem_header(p);
	size_t size = h->size;
	struct db_mem_cache *c = size <= DB_MEM_SMALL ? db_mem_cache() : NULL;
	if (!c || c->bytes + size > DB_MEM_CACHE_BYTES) {
		free(h);
		return;
	}
	DB_MEM_POISON(p, size);
	h->next = *db_mem_list(c, size);
	*db_mem_list(c, size) = h;
	c->bytes += size;
}

static int
db_mem_size(void *p)
{
	return p ? (int)db_mem_header(p)->size : 0;
}

static void *
db_mem_realloc(void *p, int n)
{
	if (n <= 0)
		return NULL;
	size_t old = db_mem_header(p)->size;
	if (db_mem_round((size_t)n) == old)
		return p;
	void *q = db_mem_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, old < (size_t)n ? old : (size_t)n);
	db_mem_free(p);
	return q;
}

static int
db_mem_roundup(int n)
{
	return (int)db_mem_round((size_t)n);
}

static int
db_mem_init(void *arg)
{
	(void)arg;
	return pthread_key_create(&db_mem_key, db_mem_cache_free) == 0
	           ? SQLITE_OK
	           : SQLITE_NOMEM;
}

static void
db_mem_shutdown(void *arg)
{
	(void)arg;
}

void
db_mem_install(void)
{
	static const sqlite3_mem_methods methods = {
	    db_mem_malloc,  db_mem_free, db_mem_realloc,  db_mem_size,
	    db_mem_roundup, db_mem_init, db_mem_shutdown, NULL,
	};
	sqlite3_config(SQLITE_CONFIG_MALLOC, &methods);
}

void
db_mem_release(void)
{
	struct db_mem_cache *c = db_mem_mine;
	if (!c)
		return;
	pthread_setspecific(db_mem_key, NULL);
	db_mem_cache_free(c);
}
