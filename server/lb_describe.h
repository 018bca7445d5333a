/* A load balancer as DescribeLoadBalancers shows it. */
#ifndef EULB_LB_DESCRIBE_H
#define EULB_LB_DESCRIBE_H

#include <jansson.h>
#include <stdint.h>

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
 */
struct emit;
int lb_describe_lbs(struct request *rq, struct emit *e, const struct lb *lbs,
                    size_t n, size_t *bytes);
/* Renders up to limit of the descriptions the triggers of schema/0011
 * cleared, of load balancers with ids below *below, highest first, in
 * the write transaction that cleared them; sets *below to the last one
 * tried. How many were tried (one that fails is logged and left to be
 * read from its rows), or -1. */
int lb_describe_refresh(struct db *db, const struct server_config *c,
                        int64_t *below, long limit);
/* Clears every stored description if what they depend on outside the
 * database (DNS domain, regions and their hosted zones, the system
 * account) is not what they were rendered with, else those marked too
 * large; in a write transaction. */
int lb_describe_check_config(struct db *db, const struct server_config *c);
json_t *lb_health_check_json(const struct lb *lb);
/* The full attribute tree of lb, defaults filled in, or NULL. */
json_t *lb_attributes_json(struct request *rq, const struct lb *lb);
/* The caller's load balancer named by LoadBalancerName, or
 * LoadBalancerNotFound. */
int lb_lookup(struct request *rq, struct lb *lb);

#endif
