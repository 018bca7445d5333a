/* Reading, checking and adding listeners: CreateLoadBalancer and
 * CreateLoadBalancerListeners share all of it. */
#ifndef EULB_LB_LISTENERS_H
#define EULB_LB_LISTENERS_H

#include <stddef.h>

#include "request.h"
#include "store.h"

struct listener_set {
	struct listener *v;
	size_t n;
};

/* Reads and validates every Listeners.member.N; at least one. */
int listener_set_read(struct request *rq, struct listener_set *set);
/* Adds them to lb: an identical existing listener is a no-op, a
 * different one on the same port is DuplicateListener. The first
 * listener of a load balancer without a health check sets the default. */
int listener_set_apply(struct request *rq, struct lb *lb,
                       const struct listener_set *set);
void listener_set_free(struct listener_set *set);
/* CertificateNotFound unless arn is one of the caller's certificates. */
int listener_check_certificate(struct request *rq, const char *arn);

#endif
