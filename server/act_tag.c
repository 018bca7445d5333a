/* Tags: AddTags, RemoveTags, DescribeTags, and tags on CreateLoadBalancer. */
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "lb_describe.h"
#include "params.h"
#include "tags.h"

#define TAG_MAX_PER_LB 10

/* Letters, digits, spaces and _.:/=+-@ (the model's pattern, ASCII
 * letters plus any non-ASCII UTF-8, which the pattern's \p{L} admits). */
static int
tag_text_ok(const char *s)
{
	for (; *s; s++)
		if (!((unsigned char)*s >= 0x80 ||
		      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(" _.:/=+-@", *s)))
			return 0;
	return 1;
}

static int
tag_check(struct request *rq, const char *key, const char *value)
{
	if (!*key || strlen(key) > 128 || !tag_text_ok(key))
		return resp_error(rq, ERR_VALIDATION,
				  "Tag key '%s' must be 1 to 128 letters, "
				  "digits, spaces or _.:/=+-@",
				  key);
	if (strncmp(key, "aws:", 4) == 0)
		return resp_error(rq, ERR_VALIDATION,
				  "Tag key '%s' uses the reserved prefix aws:",
				  key);
	if (value && (strlen(value) > 256 || !tag_text_ok(value)))
		return resp_error(rq, ERR_VALIDATION,
				  "Tag value of '%s' must be at most 256 "
				  "letters, digits, spaces or _.:/=+-@",
				  key);
	return 0;
}

/* Reads Tags.member.N.{Key,Value}: checks each, refuses repeated keys. */
static int
tag_read(struct request *rq, int keys_only, const char ***keys,
	 const char ***values, int *count)
{
	unsigned *idx = NULL;
	int n = param_list(rq, "Tags", &idx);
	*keys = *values = NULL;
	*count = 0;
	if (n < 0)
		return -1;
	*keys = xcalloc((size_t)n + 1, sizeof **keys);
	*values = xcalloc((size_t)n + 1, sizeof **values);
	for (int i = 0; i < n; i++) {
		const char *k = param_get(rq, "Tags.member.%u.Key", idx[i]);
		const char *v = param_get(rq, "Tags.member.%u.Value", idx[i]);
		if (!k)
			k = "";
		if (tag_check(rq, k, keys_only ? NULL : v) < 0)
			goto fail;
		for (int j = 0; j < i; j++)
			if (strcmp((*keys)[j], k) == 0) {
				resp_error(rq, ERR_DUPLICATE_TAG_KEYS,
					   "Tag key '%s' is given more than "
					   "once",
					   k);
				goto fail;
			}
		(*keys)[i] = k;
		(*values)[i] = v ? v : "";
	}
	*count = n;
	free(idx);
	return 0;
fail:
	free(idx);
	free(*keys);
	free(*values);
	*keys = *values = NULL;
	return -1;
}

int
tags_apply(struct request *rq, const struct lb *lb)
{
	const char **keys, **values;
	int n;
	if (tag_read(rq, 0, &keys, &values, &n) < 0)
		return -1;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++)
		if (store_tag_set(rq->db, lb->id, keys[i], values[i]) != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	long total = 0;
	if (rc == 0 && store_tag_count(rq->db, lb->id, &total) != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	if (rc == 0 && total > TAG_MAX_PER_LB)
		rc = resp_error(rq, ERR_TOO_MANY_TAGS,
				"Load balancer %s would have %ld tags; at most "
				"%d are allowed",
				lb->name, total, TAG_MAX_PER_LB);
	free(keys);
	free(values);
	return rc;
}

/* AddTags and RemoveTags name exactly one load balancer. */
static int
tag_one_lb(struct request *rq, struct lb *lb)
{
	unsigned *idx = NULL;
	int n = param_list(rq, "LoadBalancerNames", &idx);
	const char *name = n == 1 ? param_member(rq, "LoadBalancerNames", idx[0])
				  : NULL;
	free(idx);
	if (n < 0 || (n == 1 && !name))
		return -1;
	if (n != 1)
		return resp_error(rq, ERR_VALIDATION,
				  "Give exactly one load balancer in "
				  "LoadBalancerNames, not %d",
				  n);
	int rc = store_lb_get(rq->db, rq->account_id, request_region_key(rq), name,
			      lb);
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
	int rc = tag_read(rq, 1, &keys, &values, &n);
	for (int i = 0; rc == 0 && i < n; i++)
		if (store_tag_remove(rq->db, lb.id, keys[i]) != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	free(keys); /* NULL when tag_read failed */
	free(values);
	store_lb_free(&lb);
	return rc;
}

static int
tag_describe_one(void *ctx, const char *key, const char *value)
{
	json_array_append_new(ctx, json_pack("{s:s,s:s}", "Key", key, "Value",
					     value));
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
		const char *name = param_member(rq, "LoadBalancerNames", idx[i]);
		struct lb lb;
		if (!name) {
			rc = -1;
			break;
		}
		int s = store_lb_get(rq->db, rq->account_id,
				     request_region_key(rq), name, &lb);
		if (s == STORE_NOT_FOUND) {
			rc = resp_error(rq, ERR_LB_NOT_FOUND,
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
		json_array_append_new(out, json_pack("{s:s,s:o}",
						     "LoadBalancerName",
						     s == STORE_OK ? lb.name : name,
						     "Tags", tags));
		if (s == STORE_OK)
			store_lb_free(&lb);
	}
	free(idx);
	return rc;
}
