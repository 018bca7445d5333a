/* Tags read from a request and stored on a load balancer. */
#ifndef EULB_TAGS_H
#define EULB_TAGS_H

#include "request.h"
#include "store.h"

/* Reads Tags.member.N.{Key,Value} (only the keys if keys_only): checks
 * each, refuses repeated keys. *keys and *values hold *count entries whose
 * strings belong to the request: free the two arrays (NULL on error). */
int tags_read(struct request *rq, int keys_only, const char ***keys,
              const char ***values, int *count);
/* Checks Tags.member.N and adds or replaces them on lb (CreateLoadBalancer
 * and AddTags): DuplicateTagKeys, TooManyTags, ValidationError. */
int tags_apply(struct request *rq, const struct lb *lb);

#endif
