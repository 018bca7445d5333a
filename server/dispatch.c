#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "lb_stored.h"
#include "log.h"
#include "params.h"
#include "policy.h"
#include "store.h"
#include "xmltext.h"

#define ELB_VERSION "2012-06-01"
#define IAM_VERSION "2010-05-08"
#define IAM_XMLNS "https://iam.amazonaws.com/doc/2010-05-08/"
/* Far above any real request (a full SSLNegotiation policy is ~200). */
#define DISPATCH_MAX_PARAMS 2000

const struct action action_table[] = {
#define X(name, handler, flags, required)                                      \
	{#name,                                                                \
	 handler,                                                              \
	 flags,                                                                \
	 required,                                                             \
	 (flags)&ACT_IAM ? IAM_VERSION : ELB_VERSION,                          \
	 (flags)&ACT_IAM ? "iam" : "elasticloadbalancing",                     \
	 (flags)&ACT_IAM ? IAM_XMLNS : NULL},
#include "actions.def"
#undef X
};
const size_t action_count = sizeof action_table / sizeof action_table[0];

static int
action_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct action *)elem)->name);
}

const struct action *
action_find(const char *name)
{
	return bsearch(name, action_table, action_count, sizeof action_table[0],
	               action_cmp);
}

static int
param_key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A parameter given twice is ambiguous: refuse it rather than pick one. */
static int
dispatch_unique(struct request *rq)
{
	if (rq->params.n > DISPATCH_MAX_PARAMS)
		return resp_error(rq, ERR_VALIDATION,
		                  "The request has %zu parameters; at most %d "
		                  "are allowed",
		                  rq->params.n, DISPATCH_MAX_PARAMS);
	char **keys = xmalloc((rq->params.n + 1) * sizeof *keys);
	for (size_t i = 0; i < rq->params.n; i++)
		keys[i] = rq->params.v[i].key;
	qsort(keys, rq->params.n, sizeof *keys, param_key_cmp);
	int rc = 0;
	for (size_t i = 1; i < rq->params.n && rc == 0; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			rc = resp_error(rq, ERR_INVALID_PARAMETER_VALUE,
			                "The parameter %s is given more than "
			                "once; give it once",
			                keys[i]);
	free(keys);
	return rc;
}

static int
dispatch_parse(struct request *rq)
{
	const char *err = NULL;
	if (rq->raw_query && form_parse(&rq->params, rq->raw_query,
	                                strlen(rq->raw_query), &err) < 0)
		return resp_error(rq, ERR_MALFORMED_QUERY,
		                  "The query string is malformed: %s", err);
	if (rq->body.len &&
	    form_parse(&rq->params, rq->body.data, rq->body.len, &err) < 0)
		return resp_error(rq, ERR_MALFORMED_QUERY,
		                  "The request body is not valid "
		                  "application/x-www-form-urlencoded: %s",
		                  err);
	/* Values are stored and later rendered as XML 1.0 and JSON: a
	 * character either refuses would break every later response that
	 * carries it, so it is refused here, once. */
	for (size_t i = 0; i < rq->params.n; i++) {
		const struct form_param *p = &rq->params.v[i];
		size_t at = 0;
		if (!xmltext_valid(p->key, &at))
			return resp_error(rq, ERR_MALFORMED_QUERY,
			                  "A parameter name has a character "
			                  "that XML 1.0 does not allow, or "
			                  "invalid UTF-8, at byte %zu",
			                  at);
		if (!xmltext_valid(p->value, &at))
			return resp_error(rq, ERR_MALFORMED_QUERY,
			                  "The value of %s has a character "
			                  "that XML 1.0 does not allow, or "
			                  "invalid UTF-8, at byte %zu; send "
			                  "UTF-8 text without control "
			                  "characters",
			                  p->key, at);
	}
	return dispatch_unique(rq);
}

static int
dispatch_required(struct request *rq)
{
	const char *p = rq->action->required;
	while (*p) {
		size_t len = strcspn(p, ",");
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)len, p);
		p += len + (p[len] == ',');
		size_t n = strlen(name);
		if (n > 2 && strcmp(name + n - 2, "[]") == 0) {
			name[n - 2] = '\0';
			if (!param_list_present(rq, name))
				return resp_error(rq, ERR_MISSING_PARAMETER,
				                  "The request must contain "
				                  "the parameter %s",
				                  name);
		} else {
			const char *v;
			if (param_require(rq, &v, "%s", name) < 0)
				return -1;
		}
	}
	return 0;
}

static int
dispatch_action(struct request *rq)
{
	const char *name = form_get(&rq->params, "Action");
	if (!name || !*name)
		return resp_error(rq, ERR_MISSING_ACTION,
		                  "The request must contain the parameter "
		                  "Action");
	rq->action = action_find(name);
	if (!rq->action)
		return resp_error(rq, ERR_INVALID_ACTION,
		                  "The action %s is not valid for this web "
		                  "service",
		                  name);
	const char *version = form_get(&rq->params, "Version");
	if (!version || !*version)
		return resp_error(rq, ERR_MISSING_PARAMETER,
		                  "The request must contain the parameter "
		                  "Version (%s)",
		                  rq->action->version);
	if (strcmp(version, rq->action->version) != 0)
		return resp_error(rq, ERR_INVALID_ACTION,
		                  "Could not find operation %s for version %s; "
		                  "this service speaks version %s",
		                  name, version, rq->action->version);
	return 0;
}

/* The servo credential is the data plane's: it may call the servo
 * actions and nothing else, and nobody else may call those. */
static int
dispatch_check_servo(struct request *rq)
{
	int is_servo =
	    strcmp(rq->account_id, rq->config->system_account_id) == 0;
	int servo_action = (rq->action->flags & ACT_SERVO) != 0;
	if (is_servo == servo_action)
		return 0;
	if (is_servo)
		return resp_error(
		    rq, ERR_ACCESS_DENIED,
		    "The servo credential may call only the "
		    "data plane's actions (DescribeLoadBalancersByServo, "
		    "PutServoStates), not %s",
		    rq->action->name);
	return resp_error(rq, ERR_ACCESS_DENIED,
	                  "%s is for the data plane's servo credential only",
	                  rq->action->name);
}

/* euca2ools' --as-account: an account allowed to delegate (the cloud
 * administrator's) acts as the account named by id or name; any other
 * caller is refused rather than silently answered as itself. */
static int
dispatch_delegate(struct request *rq)
{
	const char *target = form_get(&rq->params, "DelegateAccount");
	if (!target)
		return 0;
	struct account caller = {0}, as = {0};
	int rc = store_account_by_id(rq->db, rq->account_id, &caller);
	if (rc == STORE_OK && !caller.may_delegate)
		rc = resp_error(rq, ERR_ACCESS_DENIED,
		                "Account %s may not act as another account "
		                "(DelegateAccount); only an account created "
		                "with --may-delegate may",
		                rq->account_id);
	else if (rc != STORE_OK)
		rc = resp_error(rq, ERR_SERVICE_UNAVAILABLE, NULL);
	if (rc == STORE_OK) {
		size_t n = strlen(target);
		rc = n == 12 && strspn(target, "0123456789") == 12
		         ? store_account_by_id(rq->db, target, &as)
		         : store_account_by_name(rq->db, target, &as);
		if (rc == STORE_OK &&
		    strcmp(as.id, rq->config->system_account_id) == 0)
			rc = STORE_NOT_FOUND; /* the data plane's, not a tenant
			                       */
		if (rc == STORE_NOT_FOUND)
			rc = resp_error(rq, ERR_VALIDATION,
			                "DelegateAccount names no account: "
			                "'%s'",
			                target);
		else if (rc != STORE_OK)
			rc = resp_error(rq, ERR_SERVICE_UNAVAILABLE, NULL);
		else
			memcpy(rq->account_id, as.id, sizeof rq->account_id);
	}
	store_account_free(&caller);
	store_account_free(&as);
	return rc;
}

/* One handler in the transaction open on rq->db. With others in the same
 * transaction it runs inside a savepoint, so a failed request leaves
 * nothing whatever shares the transaction; alone, the transaction's own
 * rollback does that (and reads pay for no savepoint). */
static void
dispatch_handle(struct request *rq, int shared)
{
	if (shared && db_savepoint(rq->db) < 0) {
		resp_error(rq, ERR_SERVICE_UNAVAILABLE,
		           "The database is busy; retry the request");
		return;
	}
	rq->result = json_object();
	if (rq->action->handler(rq) < 0) {
		if (shared)
			db_savepoint_rollback(rq->db);
		json_decref(rq->result);
		rq->result = NULL;
		return;
	}
	if (shared)
		db_savepoint_release(rq->db);
	rq->status = 200;
}

void
dispatch_run(struct request *rq)
{
	dispatch_run_batch(&rq, 1, rq->db);
}

void
dispatch_run_batch(struct request **rqs, size_t n, struct db *db)
{
	int write = (rqs[0]->action->flags & ACT_WRITE) != 0;
	int open = n == 1 && rqs[0]->in_read; /* dispatch_prepare's */
	rqs[0]->in_read = 0;
	if (!open && db_begin(db, write) < 0) {
		for (size_t i = 0; i < n; i++)
			resp_error(rqs[i], ERR_SERVICE_UNAVAILABLE,
			           "The database is busy; retry the request");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		rqs[i]->db = db;
		dispatch_handle(rqs[i], n > 1);
	}
	if (n == 1 && rqs[0]->status != 200) {
		db_rollback(db);
		return;
	}
	/* Descriptions describes asked for (lb_stored.c), sharing the
	 * batch's commit. */
	if (write)
		lb_stored_render_wanted(db);
	if (db_commit(db) == 0)
		return;
	db_rollback(db);
	for (size_t i = 0; i < n; i++) {
		if (rqs[i]->status != 200)
			continue;
		json_decref(rqs[i]->result);
		rqs[i]->result = NULL;
		resp_error(rqs[i], ERR_SERVICE_UNAVAILABLE,
		           "The change could not be committed; retry the "
		           "request");
	}
}

int
dispatch_prepare(struct request *rq)
{
	rq->db = db_thread();
	if (!rq->db)
		return resp_error(rq, ERR_SERVICE_UNAVAILABLE,
		                  "The database cannot be opened; retry later");
	if (rq->body_too_large)
		return resp_error(rq, ERR_TOO_LARGE,
		                  "The request body is larger than %zu bytes",
		                  rq->config->max_body);
	if (dispatch_parse(rq) < 0)
		return -1;
	/* The checks read in one transaction that a read's handler then
	 * shares (and that may go on from the thread's last read, see
	 * db_keep.c): each new transaction costs SQLite a WAL read lock
	 * taken and dropped, a tenth of a small read's time. A write runs
	 * later, in the writer's transaction. */
	if (db_begin(rq->db, 0) < 0)
		return resp_error(rq, ERR_SERVICE_UNAVAILABLE,
		                  "The database is busy; retry the request");
	if (auth_check(rq) < 0 || dispatch_action(rq) < 0 ||
	    auth_check_service(rq) < 0 || dispatch_check_servo(rq) < 0 ||
	    dispatch_delegate(rq) < 0 || dispatch_required(rq) < 0) {
		db_rollback(rq->db);
		return -1;
	}
	if (!dispatch_is_write(rq)) {
		rq->in_read = 1;
		return 0;
	}
	db_rollback(rq->db);
	/* Here, not on the writer, whose one thread would stall every
	 * tenant's writes while OpenSSL parses: a policy's PublicKey, or an
	 * uploaded server certificate (the one IAM action with PEMs). */
	if (rq->action->flags & ACT_PEM) {
		if (rq->action->flags & ACT_IAM)
			iam_precheck(rq);
		else
			policy_precheck(rq);
	}
	return 0;
}

int
dispatch_is_write(const struct request *rq)
{
	return (rq->action->flags & ACT_WRITE) != 0;
}

void
dispatch(struct request *rq)
{
	if (dispatch_prepare(rq) == 0)
		dispatch_run(rq);
}
