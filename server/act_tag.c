/* Tags: AddTags, RemoveTags, DescribeTags, and tags on CreateLoadBalancer. */
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "lb_describe.h"
#include "params.h"
#include "tags.h"

/* AddTags and RemoveTags name exactly one load balancer. */
static int
tag_one_lb(struct request *rq, struct lb *lb)
{
	unsigned *idx = NULL;
	int n = param_list(rq, "LoadBalancerNames", &idx);
	const char *name =
	    n == 1 ? param_member(rq, "LoadBalancerNames", idx[0]) : NULL;
	free(idx);
	if (n < 0 || (n == 1 && !name))
		return -1;
	if (n != 1)
		return resp_error(rq, ERR_VALIDATION,
		                  "Give exactly one load balancer in "
		                  "LoadBalancerNames, not %d",
		                  n);
	int rc = store_lb_get(rq->db, rq->account_id, request_region_key(rq),
	                      name, lb);
	if (rc == STORE_NOT_FOUND)
		return resp_error(rq, ERR_LB_NOT_FOUND,
		                  "There is no ACTIVE Load Balancer named '%s'",
		                  name);
	return rc == STORE_OK ? 0 : resp_error(rq, ERR_INTERNAL, NULL);
}

static int
tag_require_some(struct request *rq)
{
	unsigned *idx = NULL;
	int n = param_list(rq, "Tags", &idx);
	free(idx);
	if (n == 0)
		return resp_error(rq, ERR_VALIDATION,
		                  "Tags cannot be empty: give Tags.member.1");
	return n < 0 ? -1 : 0;
}

int
act_add_tags(struct request *rq)
{
	struct lb lb;
	if (tag_require_some(rq) < 0 || tag_one_lb(rq, &lb) < 0)
		return -1;
	int rc = tags_apply(rq, &lb);
	store_lb_free(&lb);
	return rc;
}

int
act_remove_tags(struct request *rq)
{
	struct lb lb;
	const char **keys, **values;
	int n;
	if (tag_require_some(rq) < 0 || tag_one_lb(rq, &lb) < 0)
		return -1;
	int rc = tags_read(rq, 1, &keys, &values, &n);
	for (int i = 0; rc == 0 && i < n; i++)
		if (store_tag_remove(rq->db, lb.id, keys[i]) != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	free(keys); /* NULL when tags_read failed */
	free(values);
	store_lb_free(&lb);
	return rc;
}

static int
tag_describe_one(void *ctx, const char *key, const char *value)
{
	json_array_append_new(
	    ctx, json_pack("{s:s,s:s}", "Key", key, "Value", value));
	return 0;
}

int
act_describe_tags(struct request *rq)
{
	unsigned *idx = NULL;
	int n = param_list(rq, "LoadBalancerNames", &idx);
	json_t *out = json_array();
	json_object_set_new(rq->result, "TagDescriptions", out);
	int rc = n < 0 ? -1 : 0;
	if (n == 0 || n > 20)
		rc = resp_error(rq, ERR_VALIDATION,
		                "Give 1 to 20 names in LoadBalancerNames, not "
		                "%d",
		                n);
	for (int i = 0; rc == 0 && i < n; i++) {
		const char *name =
		    param_member(rq, "LoadBalancerNames", idx[i]);
		struct lb lb;
		if (!name) {
			rc = -1;
			break;
		}
		int s = store_lb_get(rq->db, rq->account_id,
		                     request_region_key(rq), name, &lb);
		if (s == STORE_NOT_FOUND) {
			rc =
			    resp_error(rq, ERR_LB_NOT_FOUND,
			               "There is no ACTIVE Load Balancer named "
			               "'%s'",
			               name);
			break;
		}
		json_t *tags = json_array();
		if (s != STORE_OK ||
		    store_tag_each(rq->db, lb.id, tag_describe_one, tags) !=
		        STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
		json_array_append_new(out,
		                      json_pack("{s:s,s:o}", "LoadBalancerName",
		                                s == STORE_OK ? lb.name : name,
		                                "Tags", tags));
		if (s == STORE_OK)
			store_lb_free(&lb);
	}
	free(idx);
	return rc;
}
