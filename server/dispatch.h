/* The action table (from common/actions.def) and the request pipeline. */
#ifndef EULB_DISPATCH_H
#define EULB_DISPATCH_H

#include <stddef.h>

#include "request.h"

enum action_flags {
	ACT_WRITE = 1 << 0, /* BEGIN IMMEDIATE, commit on success */
	ACT_IAM = 1 << 1,   /* an IAM 2010-05-08 action */
	ACT_SERVO = 1 << 2, /* only for the servo credential (system account) */
	ACT_PEM = 1 << 3,   /* PEMs parsed before the write queue */
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
/* UploadServerCertificate's ACT_PEM: checks certificate, key and chain
 * into rq->pem_* for the handler (act_iam.c). */
void iam_precheck(struct request *rq);

extern const struct action action_table[];
extern const size_t action_count;

const struct action *action_find(const char *name);

/*
 * Everything between "the body is in" and "the response is rendered":
 * decode parameters, authenticate, find the action, check Version and the
 * required parameters (dispatch_prepare: 0, or -1 with the error set),
 * then run the handler (dispatch_run) in its own transaction.
 */
void dispatch(struct request *rq);
int dispatch_prepare(struct request *rq);
int dispatch_is_write(const struct request *rq);
void dispatch_run(struct request *rq);
/*
 * Group commit: prepared requests of one kind (all writes, or all reads)
 * in one transaction on db, each inside its own savepoint, so a failed
 * one changes nothing and the rest share one commit (one fsync). Each
 * request ends with status 200 and its result, or an error.
 */
struct db;
void dispatch_run_batch(struct request **rqs, size_t n, struct db *db);

#endif
