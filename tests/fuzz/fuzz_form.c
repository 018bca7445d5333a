/*
 * The form/query decoder (common/form.c): the bytes of a query string or
 * an application/x-www-form-urlencoded body.
 *
 * Checks: a decoded form encodes (form_encode) to a string that decodes to
 * the very same parameters; form_encode and form_uri_encode emit only
 * unreserved characters and %XX; form_get/form_count agree with the list;
 * form_member_indexes returns distinct ascending numbers in range, each
 * one really present as PREFIX.member.N[.x].
 */
#include <string.h>

#include "form.h"
#include "fuzz.h"

static const char *const prefixes[] = {
    "Listeners",         "PolicyNames", "Instances",        "Tags",
    "LoadBalancerNames", "Subnets",     "PolicyAttributes", "",
};

static int
is_unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

static int
is_upper_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* Only unreserved characters, %XX with upper-case hex, and the extra
 * separators allowed. */
static void
check_encoded(const char *s, const char *extra)
{
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			FUZZ_CHECK(is_upper_hex(s[i + 1]) &&
			               is_upper_hex(s[i + 2]),
			           "bad escape at %zu in '%s'", i, s);
			i += 2;
			continue;
		}
		FUZZ_CHECK(is_unreserved(c) || strchr(extra, c),
		           "byte 0x%02x at %zu not encoded in '%s'", c, i, s);
	}
}

static void
check_same(const struct form *a, const struct form *b)
{
	FUZZ_CHECK(a->n == b->n, "%zu parameters, %zu after a round trip", a->n,
	           b->n);
	for (size_t i = 0; i < a->n; i++) {
		FUZZ_CHECK(strcmp(a->v[i].key, b->v[i].key) == 0,
		           "key %zu: '%s' became '%s'", i, a->v[i].key,
		           b->v[i].key);
		FUZZ_CHECK(strcmp(a->v[i].value, b->v[i].value) == 0,
		           "value %zu: '%s' became '%s'", i, a->v[i].value,
		           b->v[i].value);
	}
}

/* Whether some key is exactly "<prefix>.member.<n>" or starts with it
 * followed by '.'. */
static int
member_present(const struct form *f, const char *prefix, unsigned n)
{
	struct buf want = BUF_INIT;
	int found = 0;
	buf_printf(&want, "%s.member.%u", prefix, n);
	for (size_t i = 0; i < f->n && !found; i++) {
		const char *k = f->v[i].key;
		found = strncmp(k, want.data, want.len) == 0 &&
		        (k[want.len] == '\0' || k[want.len] == '.');
	}
	buf_free(&want);
	return found;
}

static void
check_members(const struct form *f, const char *prefix)
{
	unsigned *idx = NULL;
	int n = form_member_indexes(f, prefix, &idx);
	if (n <= 0) {
		FUZZ_CHECK(idx == NULL, "no members but a list for '%s'",
		           prefix);
		return;
	}
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(idx[i] >= 1 && idx[i] <= FORM_MAX_MEMBER,
		           "member %u out of range", idx[i]);
		FUZZ_CHECK(i == 0 || idx[i - 1] < idx[i],
		           "members not ascending: %u then %u", idx[i - 1],
		           idx[i]);
		FUZZ_CHECK(member_present(f, prefix, idx[i]),
		           "member %u of '%s' is not in the form", idx[i],
		           prefix);
	}
	free(idx);
}

/* The prefix of the first "X.member.N" key, so lists the fuzzer invents
 * are checked too. */
static void
check_first_list(const struct form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *m = strstr(f->v[i].key, ".member.");
		if (m) {
			char *prefix =
			    xstrndup(f->v[i].key, (size_t)(m - f->v[i].key));
			check_members(f, prefix);
			free(prefix);
			return;
		}
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_keep_stderr();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f = FORM_INIT, again = FORM_INIT;
	const char *err = NULL;
	form_add(&f, "Seed", "kept");
	if (form_parse(&f, (const char *)data, size, &err) < 0) {
		/* A failure leaves f as it was and says why. */
		FUZZ_CHECK(err != NULL, "no message");
		FUZZ_CHECK(f.n == 1 && strcmp(f.v[0].key, "Seed") == 0,
		           "a failed parse changed the form (%zu params)", f.n);
		form_free(&f);
		return 0;
	}
	char *enc = form_encode(&f);
	check_encoded(enc, "&=");
	FUZZ_CHECK(form_parse(&again, enc, strlen(enc), &err) == 0,
	           "'%s' does not decode: %s", enc, err);
	check_same(&f, &again);

	for (size_t i = 0; i < f.n; i++) {
		const char *first = form_get(&f, f.v[i].key);
		FUZZ_CHECK(first != NULL && form_count(&f, f.v[i].key) >= 1,
		           "'%s' not found", f.v[i].key);
		struct buf b = BUF_INIT;
		form_uri_encode(&b, f.v[i].value, strlen(f.v[i].value), 0);
		check_encoded(buf_str(&b), "/");
		buf_free(&b);
	}
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
		check_members(&f, prefixes[i]);
	check_first_list(&f);

	free(enc);
	form_free(&f);
	form_free(&again);
	return 0;
}
