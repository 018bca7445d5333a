/* The form codec: decoding, errors, member lists and encoding. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "form.h"
#include "check_run.h"

/* Parses s, which must succeed. */
static void
parse_ok(struct form *f, const char *s)
{
	const char *err = NULL;

	ck_assert_msg(form_parse(f, s, strlen(s), &err) == 0, "%s: %s", s, err);
}

/* Parses s into a form holding one "k=v", which must fail unchanged. */
static void
assert_bad(const char *s, const char *needle)
{
	struct form f = FORM_INIT;
	const char *err = NULL;

	form_add(&f, "k", "v");
	ck_assert_msg(form_parse(&f, s, strlen(s), &err) == -1, "accepted %s",
	              s);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, needle) != NULL, "%s: '%s'", s, err);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_str_eq(f.v[0].key, "k");
	ck_assert_str_eq(f.v[0].value, "v");
	form_free(&f);
}

START_TEST(test_decode)
{
	struct form f = FORM_INIT;

	parse_ok(&f, "a=%41%4a%4B&b=x+y&c=%2B&d=l1%0Al2&e=%E1%88%B4&f=%7e");
	ck_assert_uint_eq(f.n, 6);
	ck_assert_str_eq(form_get(&f, "a"), "AJK");
	ck_assert_str_eq(form_get(&f, "b"), "x y");
	ck_assert_str_eq(form_get(&f, "c"), "+");
	ck_assert_str_eq(form_get(&f, "d"), "l1\nl2");
	ck_assert_str_eq(form_get(&f, "e"), "\xe1\x88\xb4");
	ck_assert_str_eq(form_get(&f, "f"), "~");
	ck_assert_ptr_null(form_get(&f, "g"));
	form_free(&f);
}
END_TEST

START_TEST(test_decode_keys_and_pieces)
{
	struct form f = FORM_INIT;

	parse_ok(&f, "&a%20b=1&&flag&=v&x==y&");
	ck_assert_uint_eq(f.n, 4);
	ck_assert_str_eq(f.v[0].key, "a b");
	ck_assert_str_eq(f.v[0].value, "1");
	ck_assert_str_eq(f.v[1].key, "flag");
	ck_assert_str_eq(f.v[1].value, "");
	ck_assert_str_eq(f.v[2].key, "");
	ck_assert_str_eq(f.v[2].value, "v");
	ck_assert_str_eq(form_get(&f, "x"), "=y");
	/* Parsing appends. */
	parse_ok(&f, "flag=2");
	ck_assert_uint_eq(f.n, 5);
	ck_assert_uint_eq(form_count(&f, "flag"), 2);
	ck_assert_str_eq(form_get(&f, "flag"), "");
	form_free(&f);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_ptr_null(f.v);
}
END_TEST

START_TEST(test_decode_empty)
{
	struct form f = FORM_INIT;
	const char *err = NULL;

	ck_assert_int_eq(form_parse(&f, NULL, 0, &err), 0);
	parse_ok(&f, "");
	parse_ok(&f, "&&&");
	ck_assert_uint_eq(f.n, 0);
	form_free(&f);
}
END_TEST

/* Only len bytes count: a body need not be NUL-terminated. */
START_TEST(test_decode_length)
{
	struct form f = FORM_INIT;
	const char *err = NULL;

	ck_assert_int_eq(form_parse(&f, "a=12&b=3", 3, &err), 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_str_eq(form_get(&f, "a"), "1");
	/* "%4" cut short by len is an error even if "%41" follows. */
	ck_assert_int_eq(form_parse(&f, "a=%41", 4, &err), -1);
	ck_assert_uint_eq(f.n, 1);
	form_free(&f);
}
END_TEST

START_TEST(test_bad_escapes)
{
	assert_bad("a=%", "percent");
	assert_bad("a=%G1", "percent");
	assert_bad("a=%1G", "percent");
	assert_bad("a=%4", "percent");
	assert_bad("a=1&b=x%2", "percent");
	assert_bad("%=1", "percent");
	assert_bad("a=1&b=2&c=%%41", "percent");
}
END_TEST

START_TEST(test_nul_rejected)
{
	struct form f = FORM_INIT;
	const char *err = NULL;

	assert_bad("a=1&b=x%00y", "NUL");
	assert_bad("a%00=1", "NUL");
	/* A raw NUL inside len is refused too. */
	form_add(&f, "k", "v");
	ck_assert_int_eq(form_parse(&f, "a=1\0b", 5, &err), -1);
	ck_assert_uint_eq(f.n, 1);
	form_free(&f);
}
END_TEST

START_TEST(test_count)
{
	struct form f = FORM_INIT;

	parse_ok(&f, "a=1&b=2&a=3&A=4&a=");
	ck_assert_uint_eq(form_count(&f, "a"), 3);
	ck_assert_uint_eq(form_count(&f, "A"), 1);
	ck_assert_uint_eq(form_count(&f, "c"), 0);
	ck_assert_str_eq(form_get(&f, "a"), "1");
	form_free(&f);
}
END_TEST

/* form_member_indexes of the parsed s. */
static int
members(const char *s, const char *prefix, unsigned **out)
{
	struct form f = FORM_INIT;
	int n;

	parse_ok(&f, s);
	n = form_member_indexes(&f, prefix, out);
	form_free(&f);
	return n;
}

START_TEST(test_members_sparse)
{
	unsigned *v = NULL;

	ck_assert_int_eq(
	    members("X.member.10=c&X.member.1=a&X.member.3=b", "X", &v), 3);
	ck_assert_uint_eq(v[0], 1);
	ck_assert_uint_eq(v[1], 3);
	ck_assert_uint_eq(v[2], 10);
	free(v);
}
END_TEST

START_TEST(test_members_struct)
{
	unsigned *v = NULL;

	ck_assert_int_eq(members("Listeners.member.2.Protocol=HTTP&"
	                         "Listeners.member.1.InstancePort=80&"
	                         "Listeners.member.2.InstancePort=81&"
	                         "Listeners.member.1.Protocol=TCP&"
	                         "Other.member.7=x&ListenersX.member.9=y",
	                         "Listeners", &v),
	                 2);
	ck_assert_uint_eq(v[0], 1);
	ck_assert_uint_eq(v[1], 2);
	free(v);
}
END_TEST

START_TEST(test_members_empty)
{
	struct form f = FORM_INIT;
	unsigned *v = (unsigned *)&f;

	parse_ok(&f, "PolicyNames=&LoadBalancerName=lb");
	ck_assert_str_eq(form_get(&f, "PolicyNames"), "");
	ck_assert_int_eq(form_member_indexes(&f, "PolicyNames", &v), 0);
	ck_assert_ptr_null(v);
	form_free(&f);
}
END_TEST

START_TEST(test_members_malformed)
{
	static const char *const bad[] = {
	    "X.member.abc=1",
	    "X.member.0=1",
	    "X.member.-1=1",
	    "X.member.+1=1",
	    "X.member.01=1",
	    "X.member.=1",
	    "X.member.1x=1",
	    "X.member.100001=1",
	    "X.member.4294967297=1",
	    "X.member.99999999999999999999999999=1",
	    "X.member.1=a&X.member.2b.Name=1",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		unsigned *v = (unsigned *)bad;

		ck_assert_msg(members(bad[i], "X", &v) == -1, "accepted %s",
		              bad[i]);
		ck_assert_ptr_null(v);
	}
}
END_TEST

START_TEST(test_members_limits)
{
	unsigned *v = NULL;

	ck_assert_int_eq(members("X.member.100000=1&X.member.1.=2", "X", &v),
	                 2);
	ck_assert_uint_eq(v[0], 1);
	ck_assert_uint_eq(v[1], FORM_MAX_MEMBER);
	free(v);
}
END_TEST

/* Many repeats of few numbers: sorted and deduplicated. */
START_TEST(test_members_many)
{
	struct form f = FORM_INIT;
	unsigned *v = NULL;
	char key[64];

	for (unsigned i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "T.member.%u.Key", 5000 - i % 50);
		form_add(&f, key, "x");
	}
	ck_assert_int_eq(form_member_indexes(&f, "T", &v), 50);
	for (unsigned i = 0; i < 50; i++)
		ck_assert_uint_eq(v[i], 4951 + i);
	free(v);
	form_free(&f);
}
END_TEST

static char *
uri_encode(const char *s, size_t len, int encode_slash)
{
	struct buf b = BUF_INIT;

	form_uri_encode(&b, s, len, encode_slash);
	return buf_steal(&b);
}

START_TEST(test_uri_encode)
{
	static const char unreserved[] = "AZaz09-_.~";
	char *s;

	s = uri_encode(unreserved, strlen(unreserved), 1);
	ck_assert_str_eq(s, unreserved);
	free(s);
	s = uri_encode("a b/c+=&%\n\xe1\x88\xb4\xff*", 15, 1);
	ck_assert_str_eq(s, "a%20b%2Fc%2B%3D%26%25%0A%E1%88%B4%FF%2A");
	free(s);
	s = uri_encode("/a b/", 5, 0);
	ck_assert_str_eq(s, "/a%20b/");
	free(s);
	s = uri_encode("a\0b", 3, 1);
	ck_assert_str_eq(s, "a%00b");
	free(s);
	s = uri_encode("", 0, 1);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_encode)
{
	struct form f = FORM_INIT;
	char *s;

	s = form_encode(&f);
	ck_assert_str_eq(s, "");
	free(s);
	form_add(&f, "Action", "CreateLoadBalancer");
	form_add(&f, "Tags.member.1.Value", "a b/c");
	form_add(&f, "", "");
	s = form_encode(&f);
	ck_assert_str_eq(s, "Action=CreateLoadBalancer&"
	                    "Tags.member.1.Value=a%20b%2Fc&=");
	free(s);
	form_free(&f);
}
END_TEST

START_TEST(test_encode_roundtrip)
{
	static const char *const awkward[] = {
	    "a b",          "a+b", "a/b", "a=b", "a&b",  "l1\nl2",
	    "\xe1\x88\xb4", "~x~", "%41", "",    "=&+%", "\t\r\x01\x7f\x80\xff",
	};
	size_t n = sizeof awkward / sizeof awkward[0];
	struct form in = FORM_INIT, out = FORM_INIT;
	char *enc;

	for (size_t i = 0; i < n; i++)
		form_add(&in, awkward[i], awkward[n - 1 - i]);
	enc = form_encode(&in);
	parse_ok(&out, enc);
	ck_assert_uint_eq(out.n, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(out.v[i].key, awkward[i]);
		ck_assert_str_eq(out.v[i].value, awkward[n - 1 - i]);
	}
	free(enc);
	form_free(&in);
	form_free(&out);
}
END_TEST

static Suite *
form_suite(void)
{
	Suite *s = suite_create("form");
	TCase *dec = tcase_create("decode");
	TCase *mem = tcase_create("members");
	TCase *enc = tcase_create("encode");

	tcase_add_test(dec, test_decode);
	tcase_add_test(dec, test_decode_keys_and_pieces);
	tcase_add_test(dec, test_decode_empty);
	tcase_add_test(dec, test_decode_length);
	tcase_add_test(dec, test_bad_escapes);
	tcase_add_test(dec, test_nul_rejected);
	tcase_add_test(dec, test_count);
	tcase_add_test(mem, test_members_sparse);
	tcase_add_test(mem, test_members_struct);
	tcase_add_test(mem, test_members_empty);
	tcase_add_test(mem, test_members_malformed);
	tcase_add_test(mem, test_members_limits);
	tcase_add_test(mem, test_members_many);
	tcase_add_test(enc, test_uri_encode);
	tcase_add_test(enc, test_encode);
	tcase_add_test(enc, test_encode_roundtrip);
	suite_add_tcase(s, dec);
	suite_add_tcase(s, mem);
	suite_add_tcase(s, enc);
	return s;
}

int
main(void)
{
	return check_run(form_suite());
}
