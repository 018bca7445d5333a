/* The action table: sorted (bsearch relies on it), duplicate-free, every
 * row complete and findable, and its required lists well formed. */
#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "check_run.h"

START_TEST(table_is_sorted_and_unique)
{
	ck_assert_uint_gt(action_count, 0);
	for (size_t i = 1; i < action_count; i++)
		ck_assert_msg(
		    strcmp(action_table[i - 1].name, action_table[i].name) < 0,
		    "%s must sort before %s", action_table[i - 1].name,
		    action_table[i].name);
}
END_TEST

START_TEST(every_action_is_found)
{
	for (size_t i = 0; i < action_count; i++) {
		const struct action *a = action_find(action_table[i].name);
		ck_assert_ptr_eq(a, &action_table[i]);
		ck_assert_ptr_nonnull(a->handler);
		if (a->flags & ACT_IAM) {
			ck_assert_str_eq(a->version, "2010-05-08");
			ck_assert_str_eq(a->service, "iam");
		} else {
			ck_assert_str_eq(a->version, "2012-06-01");
			ck_assert_str_eq(a->service, "elasticloadbalancing");
		}
	}
	ck_assert_ptr_null(action_find("NoSuchAction"));
	ck_assert_ptr_null(action_find(""));
	ck_assert_ptr_null(action_find("describeloadbalancers"));
}
END_TEST

START_TEST(required_lists_are_well_formed)
{
	for (size_t i = 0; i < action_count; i++) {
		const char *r = action_table[i].required;
		if (!*r)
			continue;
		ck_assert_msg(
		    r[0] != ',' && r[strlen(r) - 1] != ',' && !strstr(r, ",,"),
		    "%s: empty item in '%s'", action_table[i].name, r);
		for (const char *p = r; *p; p++)
			ck_assert_msg(isalnum((unsigned char)*p) ||
			                  strchr(",.[]", *p),
			              "%s: bad character in '%s'",
			              action_table[i].name, r);
	}
}
END_TEST

START_TEST(foundation_actions_present)
{
	static const char *const names[] = {
	    "CreateLoadBalancer",          "DeleteLoadBalancer",
	    "DescribeLoadBalancers",       "CreateLoadBalancerListeners",
	    "DeleteLoadBalancerListeners", "ConfigureHealthCheck"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		ck_assert_msg(action_find(names[i]) != NULL, "%s missing",
		              names[i]);
	ck_assert(action_find("DescribeLoadBalancers")->flags == 0);
	ck_assert(action_find("CreateLoadBalancer")->flags & ACT_WRITE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("actions");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, table_is_sorted_and_unique);
	tcase_add_test(tc, every_action_is_found);
	tcase_add_test(tc, required_lists_are_well_formed);
	tcase_add_test(tc, foundation_actions_present);
	suite_add_tcase(s, tc);
	return check_run(s);
}
