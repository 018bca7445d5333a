/* Tags as requests give them: checked, and stored on a load balancer. */
#include "tags.h"

#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "xmltext.h"

#define TAG_MAX_PER_LB 10

/* Letters, digits, spaces and _.:/=+-@ (the model's pattern, ASCII
 * letters plus any non-ASCII UTF-8, which the pattern's \p{L} admits). */
static int
tags_text_ok(const char *s)
{
	for (; *s; s++)
		if (!((unsigned char)*s >= 0x80 || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(" _.:/=+-@", *s)))
			return 0;
	return 1;
}

static int
tags_check(struct request *rq, const char *key, const char *value)
{
	if (!*key || xmltext_chars(key) > 128 || !tags_text_ok(key))
		return resp_error(rq, ERR_VALIDATION,
		                  "Tag key '%s' must be 1 to 128 letters, "
		                  "digits, spaces or _.:/=+-@",
		                  key);
	if (strncmp(key, "aws:", 4) == 0)
		return resp_error(
		    rq, ERR_VALIDATION,
		    "Tag key '%s' uses the reserved prefix aws:", key);
	if (value && (xmltext_chars(value) > 256 || !tags_text_ok(value)))
		return resp_error(rq, ERR_VALIDATION,
		                  "Tag value of '%s' must be at most 256 "
		                  "letters, digits, spaces or _.:/=+-@",
		                  key);
	return 0;
}

int
tags_read(struct request *rq, int keys_only, const char ***keys,
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
		if (tags_check(rq, k, keys_only ? NULL : v) < 0)
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
	if (tags_read(rq, 0, &keys, &values, &n) < 0)
		return -1;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++)
		if (store_tag_set(rq->db, lb->id, keys[i], values[i]) !=
		    STORE_OK)
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
