/* SQLite's allocator (server/db_mem.c): sizes, contents across realloc,
 * reuse of a thread's freed blocks, and caches freed with their threads
 * (a leak there fails the sanitizer build). */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db_internal.h"
#include "check_run.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

START_TEST(test_sizes_and_realloc_keep_contents)
{
	char *p = sqlite3_malloc(100);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)p % 16, 0);
	ck_assert_int_eq(sqlite3_msize(p), 112); /* its size class */
	memset(p, 'a', 100);
	char *q = sqlite3_realloc(p, 110); /* the same class: in place */
	ck_assert_ptr_eq(q, p);
	char *r = sqlite3_realloc(q, 5000); /* large: a block of its own */
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sqlite3_msize(r), 5000);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(r[i], 'a');
	memset(r, 'b', 5000);
	char *s = sqlite3_realloc(r, 20); /* back to small: the head kept */
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(sqlite3_msize(s), 32);
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(s[i], 'b');
	sqlite3_free(s);
	sqlite3_free(NULL);
}
END_TEST

START_TEST(test_freed_small_block_is_handed_out_again)
{
	void *p = sqlite3_malloc(40);
	ck_assert_ptr_nonnull(p);
	sqlite3_free(p);
#if defined(__SANITIZE_ADDRESS__)
	/* Cached, and poisoned while it is: a use after free is caught. */
	ck_assert_int_ne(__asan_address_is_poisoned(p), 0);
#endif
	void *q = sqlite3_malloc(33); /* the same class (48) */
	ck_assert_ptr_eq(q, p);
	memset(q, 0, 33);
	sqlite3_free(q);
}
END_TEST

static void *
churn(void *arg)
{
	(void)arg;
	void *p[64];
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 64; i++)
			p[i] = sqlite3_malloc(16 * (i + 1));
		for (int i = 0; i < 64; i++)
			sqlite3_free(p[i]);
	}
	return NULL;
}

START_TEST(test_threads_caches_go_with_them)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, NULL), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	churn(NULL);
	db_mem_release();
	/* And a database still works through it. */
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
	                              "CREATE TABLE t (x TEXT); INSERT INTO t "
	                              "VALUES (printf('%.500c', 'x'));",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
	db_mem_release();
}
END_TEST

int
main(void)
{
	db_mem_install();
	if (sqlite3_initialize() != SQLITE_OK)
		return EXIT_FAILURE;
	Suite *s = suite_create("db_mem");
	TCase *tc = tcase_create("db_mem");
	tcase_add_test(tc, test_sizes_and_realloc_keep_contents);
	tcase_add_test(tc, test_freed_small_block_is_handed_out_again);
	tcase_add_test(tc, test_threads_caches_go_with_them);
	suite_add_tcase(s, tc);
	return check_run(s);
}
