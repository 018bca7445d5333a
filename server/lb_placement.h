/* Subnets and security groups of VPC load balancers. */
#ifndef EULB_LB_PLACEMENT_H
#define EULB_LB_PLACEMENT_H

#include "request.h"
#include "store.h"

/* Attaches Subnets.member.N to lb: each from the caller's inventory
 * (SubnetNotFound), all in one VPC (InvalidSubnet), at most one per zone
 * (InvalidConfigurationRequest). Sets lb->vpc_id on the first attach. */
int subnet_attach(struct request *rq, struct lb *lb);
/* ValidationError once lb has more than --max-zones zones, or subnets
 * (one per zone). Checked after adding, so repeats count once. */
int lb_check_zone_limit(struct request *rq, const struct lb *lb);
/* Replaces lb's security groups with SecurityGroups.member.N. */
int lb_set_security_groups(struct request *rq, const struct lb *lb);

#endif
