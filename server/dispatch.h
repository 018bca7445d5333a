/* The action table (from common/actions.def) and the request pipeline. */
#ifndef EULB_DISPATCH_H
#define EULB_DISPATCH_H

#include <stddef.h>

#include "request.h"

enum action_flags {
	ACT_WRITE = 1 << 0, /* BEGIN IMMEDIATE, commit on success */
	ACT_IAM = 1 << 1,   /* an IAM 2010-05-08 action */
	ACT_SERVO = 1 << 2, /* only for the servo credential (system account) */
};

typedef int (*action_handler)(struct request *rq);

struct action {
	const char *name;
	action_handler handler;
	unsigned flags;
	const char *required; /* "A,B[]": checked before the handler runs */
	const char *version;  /* the API Version the action belongs to */
	const char *service;  /* the SigV4 service name it is signed for */
	const char *xmlns;    /* response namespace, NULL for ELB */
};

#define X(name, handler, flags, required) int handler(struct request *rq);
#include "actions.def"
#undef X

extern const struct action action_table[];
extern const size_t action_count;

const struct action *action_find(const char *name);

/*
 * Everything between "the body is in" and "the response is rendered":
 * decode parameters, authenticate, find the action, check Version and the
 * required parameters, run the handler in one transaction.
 */
void dispatch(struct request *rq);

#endif
