#include "lb_placement.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "params.h"

struct subnet_zones {
	struct request *rq;
	char **zones;
	size_t n;
	int failed;
};

static int
subnet_zone_of(void *ctx, const char *subnet)
{
	struct subnet_zones *z = ctx;
	char *zone = NULL, *vpc = NULL;
	if (store_inventory_subnet_get(z->rq->db, z->rq->account_id, subnet,
	                               &zone, &vpc) == STORE_OK) {
		z->zones = xrealloc(z->zones, (z->n + 1) * sizeof *z->zones);
		z->zones[z->n++] = zone;
	} else {
		free(zone);
	}
	free(vpc);
	return 0;
}

static int
subnet_check_one(struct request *rq, struct lb *lb, struct subnet_zones *z,
                 const char *subnet)
{
	char *zone = NULL, *vpc = NULL;
	int rc = store_inventory_subnet_get(rq->db, rq->account_id, subnet,
	                                    &zone, &vpc);
	if (rc == STORE_NOT_FOUND)
		return resp_error(rq, ERR_SUBNET_NOT_FOUND,
		                  "There is no subnet %s in account %s (add it "
		                  "with: eulbd subnet add)",
		                  subnet, rq->account_id);
	if (rc != STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if (lb->vpc_id && strcmp(lb->vpc_id, vpc) != 0)
		rc =
		    resp_error(rq, ERR_INVALID_SUBNET,
		               "Subnet %s is in %s, but load balancer %s is in "
		               "%s; all its subnets must be in one VPC",
		               subnet, vpc, lb->name, lb->vpc_id);
	for (size_t i = 0; rc == 0 && i < z->n; i++)
		if (strcmp(z->zones[i], zone) == 0)
			rc = resp_error(rq, ERR_INVALID_CONFIGURATION,
			                "ELB cannot be attached to multiple "
			                "subnets in the same AZ (%s is in %s)",
			                subnet, zone);
	if (rc == 0 && !lb->vpc_id) {
		lb->vpc_id = xstrdup(vpc);
		if (store_lb_set_vpc(rq->db, lb->id, vpc) != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	}
	if (rc == 0) {
		z->zones = xrealloc(z->zones, (z->n + 1) * sizeof *z->zones);
		z->zones[z->n++] = zone;
		zone = NULL;
	}
	free(zone);
	free(vpc);
	return rc;
}

int
subnet_attach(struct request *rq, struct lb *lb)
{
	unsigned *idx = NULL;
	int n = param_list(rq, "Subnets", &idx);
	struct subnet_zones z = {rq, NULL, 0, 0};
	int rc = n < 0 ? -1 : 0;
	if (n == 0)
		rc = resp_error(
		    rq, ERR_VALIDATION,
		    "Subnets cannot be empty: give Subnets.member.1");
	if (rc == 0 && store_lb_list_each(rq->db, LB_LIST_SUBNETS, lb->id,
	                                  subnet_zone_of, &z) != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	for (int i = 0; rc == 0 && i < n; i++) {
		const char *s = param_member(rq, "Subnets", idx[i]);
		int added;
		if (!s) {
			rc = -1;
			break;
		}
		added = store_lb_list_add(rq->db, LB_LIST_SUBNETS, lb->id, s);
		if (added == STORE_CONFLICT)
			continue; /* already attached: nothing to do */
		if (added != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
		else
			rc = subnet_check_one(rq, lb, &z, s);
	}
	for (size_t i = 0; i < z.n; i++)
		free(z.zones[i]);
	free(z.zones);
	free(idx);
	return rc;
}

static int
placement_count(void *ctx, const char *value)
{
	(void)value;
	++*(long *)ctx;
	return 0;
}

int
lb_check_zone_limit(struct request *rq, const struct lb *lb)
{
	enum lb_list which = lb->vpc_id ? LB_LIST_SUBNETS : LB_LIST_ZONES;
	long n = 0;
	if (store_lb_list_each(rq->db, which, lb->id, placement_count, &n) !=
	    STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if (n > rq->config->max_zones)
		return resp_error(rq, ERR_VALIDATION,
		                  "Load balancer %s would have %ld %s; the "
		                  "limit is %ld",
		                  lb->name, n,
		                  lb->vpc_id ? "subnets" : "availability zones",
		                  rq->config->max_zones);
	return 0;
}

/* sg- and 8 or 17 hex digits. */
static int
group_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (strncmp(id, "sg-", 3) != 0 || (n != 11 && n != 20))
		return 0;
	for (const char *p = id + 3; *p; p++)
		if (!strchr("0123456789abcdefABCDEF", *p))
			return 0;
	return 1;
}

int
lb_set_security_groups(struct request *rq, const struct lb *lb)
{
	unsigned *idx = NULL;
	int n = param_list(rq, "SecurityGroups", &idx);
	int rc = n < 0 ? -1 : 0;
	if (n == 0 || n > 5)
		rc = resp_error(rq, ERR_VALIDATION,
		                "Give 1 to 5 SecurityGroups, not %d", n);
	if (rc == 0 && store_lb_groups_clear(rq->db, lb->id) != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	for (int i = 0; rc == 0 && i < n; i++) {
		const char *g = param_member(rq, "SecurityGroups", idx[i]);
		if (!g)
			rc = -1;
		else if (!group_id_ok(g))
			rc = resp_error(rq, ERR_INVALID_SECURITY_GROUP,
			                "Security group '%s' is not valid: use "
			                "sg- and 8 or 17 hex digits",
			                g ? g : "");
		else if (store_lb_list_add(rq->db, LB_LIST_SECURITY_GROUPS,
		                           lb->id, g) == STORE_ERROR)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	}
	free(idx);
	return rc;
}
