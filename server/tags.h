/* Tags read from a request and stored on a load balancer. */
#ifndef EULB_TAGS_H
#define EULB_TAGS_H

#include "request.h"
#include "store.h"

/* Checks Tags.member.N and adds or replaces them on lb (CreateLoadBalancer
 * and AddTags): DuplicateTagKeys, TooManyTags, ValidationError. */
int tags_apply(struct request *rq, const struct lb *lb);

#endif
