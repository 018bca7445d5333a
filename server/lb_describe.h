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
/* The LoadBalancerDescriptions member of lb as a tree (for callers that
 * extend it), or NULL (error set on rq). */
json_t *lb_describe(struct request *rq, const struct lb *lb);
/*
 * Writes the descriptions of lbs[0..n) as members of the list open in e:
 * a page of the caller's load balancers in name order, or one. Each
 * adds its resp_size_bound to *bytes; one that would take *bytes past
 * --max-response-bytes (unless it is the first of the answer) is not
 * written, nor any after it. How many were written, or -1 (error set).
 * When e writes XML and every one of lbs has a stored description
 * (store_lb_page, store_lb_get_described), those are copied instead.
 */
struct emit;
int lb_describe_lbs(struct request *rq, struct emit *e, const struct lb *lbs,
                    size_t n, size_t *bytes);
/* lb's description, as a request of its region would render it, into
 * the list open in e (lb_stored.c). 0, or -1. */
int lb_describe_render(const struct server_config *c, struct db *db,
                       const struct lb *lb, struct emit *e);
json_t *lb_health_check_json(const struct lb *lb);
/* The full attribute tree of lb, defaults filled in, or NULL. */
json_t *lb_attributes_json(struct request *rq, const struct lb *lb);
/* The caller's load balancer named by LoadBalancerName, or
 * LoadBalancerNotFound. */
int lb_lookup(struct request *rq, struct lb *lb);

#endif
