/* Byte buffers: formatting in place and on growth, joining strings. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check_run.h"

START_TEST(test_printf_fits_and_grows)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s-%d", "a", 1); /* into an empty buffer */
	ck_assert_str_eq(buf_str(&b), "a-1");
	buf_reserve(&b, 100);
	size_t cap = b.cap;
	buf_printf(&b, "/%05d", 42); /* fits: formatted in place */
	ck_assert_str_eq(buf_str(&b), "a-1/00042");
	ck_assert_uint_eq(b.cap, cap);
	char big[300];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "%s!", big); /* does not: grown, formatted again */
	ck_assert_uint_eq(b.len, 9 + 299 + 1);
	ck_assert_int_eq(b.data[b.len - 1], '!');
	ck_assert_int_eq(b.data[9], 'x');
	ck_assert_uint_eq(strlen(b.data), b.len);
	buf_free(&b);
}
END_TEST

START_TEST(test_reserve_empty)
{
	struct buf b = BUF_INIT;
	buf_reserve(&b, 10);
	ck_assert_uint_ge(b.cap, 11);
	ck_assert_str_eq(buf_str(&b), "");
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

START_TEST(test_cat)
{
	struct buf b = BUF_INIT;
	buf_cat(&b, "<", "Op", "Result>", NULL);
	buf_cat(&b, NULL);
	buf_cat(&b, "", "x", NULL);
	ck_assert_str_eq(buf_str(&b), "<OpResult>x");
	buf_free(&b);
}
END_TEST

START_TEST(test_str_cat)
{
	char s[8];
	ck_assert_uint_eq(str_cat(s, sizeof s, "ab", "-", "cd", NULL), 5);
	ck_assert_str_eq(s, "ab-cd");
	/* cut to fit, terminated, the whole length returned */
	ck_assert_uint_eq(str_cat(s, sizeof s, "abcdef", "ghij", NULL), 10);
	ck_assert_str_eq(s, "abcdefg");
	ck_assert_uint_eq(str_cat(s, sizeof s, "12345678", NULL), 8);
	ck_assert_str_eq(s, "1234567");
	ck_assert_uint_eq(str_cat(s, sizeof s, NULL), 0);
	ck_assert_str_eq(s, "");
	char one[1] = {'z'};
	ck_assert_uint_eq(str_cat(one, sizeof one, "abc", NULL), 3);
	ck_assert_int_eq(one[0], '\0');
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("buf");
	tcase_add_test(tc, test_printf_fits_and_grows);
	tcase_add_test(tc, test_reserve_empty);
	tcase_add_test(tc, test_cat);
	tcase_add_test(tc, test_str_cat);
	suite_add_tcase(s, tc);
	return check_run(s);
}
