/* A load balancer as DescribeLoadBalancers shows it. */
#ifndef EULB_LB_DESCRIBE_H
#define EULB_LB_DESCRIBE_H

#include <jansson.h>

#include "request.h"
#include "store.h"

/* <name>-<account>.lb.<dns-domain>, "internal-" first for internal ones;
 * <name>-<account>.<region>.lb.<dns-domain> outside the home region. */
char *lb_dns_name(const struct request *rq, const struct lb *lb);
/* CanonicalHostedZoneNameID of the request's region. */
const char *lb_hosted_zone_id(const struct request *rq);
/* The LoadBalancerDescriptions member of lb, or NULL (error set on rq). */
json_t *lb_describe(struct request *rq, const struct lb *lb);
json_t *lb_health_check_json(const struct lb *lb);
/* The full attribute tree of lb, defaults filled in, or NULL. */
json_t *lb_attributes_json(struct request *rq, const struct lb *lb);
/* The caller's load balancer named by LoadBalancerName, or
 * LoadBalancerNotFound. */
int lb_lookup(struct request *rq, struct lb *lb);

#endif
