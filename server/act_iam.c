/*
 * IAM 2010-05-08 server-certificate actions, answered on the same endpoint
 * as ELB (euca2ools' euare-servercert* and `aws iam` use them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dispatch.h"
#include "params.h"
#include "pem.h"
#include "rand.h"
#include "store.h"

static int
iam_check_name(struct request *rq, const char *name)
{
	size_t len = strlen(name);
	if (len < 1 || len > 128)
		return resp_error(rq, ERR_VALIDATION,
		                  "ServerCertificateName must be 1 to 128 "
		                  "characters");
	for (const char *p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("_+=,.@-", *p))
			return resp_error(rq, ERR_VALIDATION,
			                  "ServerCertificateName '%s' may hold "
			                  "only letters, digits and _+=,.@-",
			                  name);
	return 0;
}

static int
iam_check_path(struct request *rq, const char *path)
{
	size_t len = strlen(path);
	if (len < 1 || len > 512 || path[0] != '/' || path[len - 1] != '/')
		return resp_error(rq, ERR_VALIDATION,
		                  "Path '%s' must begin and end with '/' and "
		                  "be at most 512 characters",
		                  path);
	for (const char *p = path; *p; p++)
		if (*p < 0x21 || *p > 0x7e)
			return resp_error(rq, ERR_VALIDATION,
			                  "Path '%s' may hold only printable "
			                  "ASCII without spaces",
			                  path);
	return 0;
}

static json_t *
iam_metadata(const struct server_cert *c)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "Path", c->path,
	                 "ServerCertificateName", c->name,
	                 "ServerCertificateId", c->certificate_id, "Arn",
	                 c->arn, "UploadDate", c->upload_date, "Expiration",
	                 c->expiration);
}

/*
 * Far above a real chain (the intermediates between leaf and root: one to
 * three), far below the 1 MiB body (1263 small self-signed certificates):
 * each one is parsed and loaded into a TLS context before the upload is
 * accepted, and stored with it.
 */
#define IAM_MAX_CHAIN 10

/* The PEM blocks of chain, counted without parsing any (and no further
 * than one past the cap): the cap holds before the costly checks. */
static int
iam_chain_blocks(const char *chain)
{
	int n = 0;
	const char *p = chain;
	while (n <= IAM_MAX_CHAIN && (p = strstr(p, "-----BEGIN ")) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* The costly part of an upload, once per request: OpenSSL parses body,
 * key and chain and loads them into a TLS context. The verdict goes to
 * rq->pem_*, from iam_precheck before the write queue. */
static void
iam_check_pems(struct request *rq, const char *body, const char *key,
               const char *chain)
{
	struct pem_cert_info info;
	if (rq->pem_value == body)
		return;
	rq->pem_value = body;
	rq->pem_ok = rq->pem_mismatch = 0;
	if (chain && iam_chain_blocks(chain) > IAM_MAX_CHAIN) {
		snprintf(rq->pem_why, sizeof rq->pem_why,
		         "CertificateChain holds more than %d certificates; "
		         "give only the intermediates between the "
		         "certificate and its root",
		         IAM_MAX_CHAIN);
		return;
	}
	rq->pem_ok = pem_server_certificate_check(
	                 body, key, chain, &info, &rq->pem_mismatch,
	                 rq->pem_why, sizeof rq->pem_why) == 0;
	if (rq->pem_ok)
		snprintf(rq->pem_not_after, sizeof rq->pem_not_after, "%s",
		         info.not_after);
}

static const char *
iam_chain_param(struct request *rq)
{
	const char *chain = param_get(rq, "CertificateChain");
	return chain && *chain ? chain : NULL;
}

void
iam_precheck(struct request *rq)
{
	const char *body = param_get(rq, "CertificateBody");
	const char *key = param_get(rq, "PrivateKey");
	if (body && key) /* dispatch_required saw both */
		iam_check_pems(rq, body, key, iam_chain_param(rq));
}

/* The verdict iam_precheck left (or, without one, found now). */
static int
iam_check_upload(struct request *rq, const char *name, const char *body,
                 const char *key, const char *chain)
{
	iam_check_pems(rq, body, key, chain);
	if (rq->pem_ok)
		return 0;
	return resp_error(rq,
	                  rq->pem_mismatch ? ERR_KEY_PAIR_MISMATCH
	                                   : ERR_MALFORMED_CERTIFICATE,
	                  "Server certificate '%s' is not accepted: %s", name,
	                  rq->pem_why);
}

/* LimitExceeded once the account holds --max-server-certificates. A name
 * it holds is not counted: uploading it again is EntityAlreadyExists. */
static int
iam_check_quota(struct request *rq, const char *name)
{
	long n = 0;
	if (store_cert_count_others(rq->db, rq->account_id, name, &n) !=
	    STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	if (n >= rq->config->max_server_certificates)
		return resp_error(rq, ERR_LIMIT_EXCEEDED,
		                  "Cannot exceed quota for "
		                  "ServerCertificatesPerAccount: %ld; delete a "
		                  "server certificate first",
		                  rq->config->max_server_certificates);
	return 0;
}

/* Names and stores c, checked. */
static int
iam_insert(struct request *rq, struct server_cert *c)
{
	char id[22] = "ASCA", now[32];
	struct buf arn = BUF_INIT;
	if (rand_chars(id + 4, 17, RAND_UPPER_DIGITS) < 0)
		return resp_error(rq, ERR_INTERNAL, NULL);
	store_now(now);
	buf_printf(&arn, "arn:aws:iam::%s:server-certificate%s%s",
	           rq->account_id, c->path, c->name);
	c->certificate_id = xstrdup(id);
	c->arn = buf_steal(&arn);
	c->upload_date = xstrdup(now);
	c->expiration = xstrdup(rq->pem_not_after);
	int s = store_cert_insert(rq->db, c);
	if (s == STORE_CONFLICT)
		return resp_error(rq, ERR_ENTITY_EXISTS,
		                  "The Server Certificate with name %s already "
		                  "exists; delete it first or choose another "
		                  "name",
		                  c->name);
	return s == STORE_OK ? 0 : resp_error(rq, ERR_INTERNAL, NULL);
}

/* In the writer's transaction: the PEMs were checked before (iam_precheck),
 * so only the cheap checks and the insert hold the write lock. */
int
act_upload_server_certificate(struct request *rq)
{
	struct server_cert c = {0};
	const char *name = param_get(rq, "ServerCertificateName");
	const char *path = param_get(rq, "Path");
	const char *body = param_get(rq, "CertificateBody");
	const char *key = param_get(rq, "PrivateKey");
	const char *chain = iam_chain_param(rq);
	if (!path || !*path)
		path = "/";
	if (iam_check_name(rq, name) < 0 || iam_check_path(rq, path) < 0 ||
	    iam_check_upload(rq, name, body, key, chain) < 0 ||
	    iam_check_quota(rq, name) < 0)
		return -1;
	memcpy(c.account_id, rq->account_id, sizeof c.account_id);
	c.name = xstrdup(name);
	c.path = xstrdup(path);
	c.body = xstrdup(body);
	c.private_key = xstrdup(key);
	c.chain = chain ? xstrdup(chain) : NULL;
	int rc = iam_insert(rq, &c);
	if (rc == 0)
		json_object_set_new(rq->result, "ServerCertificateMetadata",
		                    iam_metadata(&c));
	store_cert_free(&c);
	return rc;
}

static int
iam_find(struct request *rq, struct server_cert *c)
{
	const char *name = param_get(rq, "ServerCertificateName");
	int rc = store_cert_by_name(rq->db, rq->account_id, name, c);
	if (rc == STORE_NOT_FOUND)
		return resp_error(rq, ERR_NO_SUCH_ENTITY,
		                  "The Server Certificate with name %s cannot "
		                  "be found",
		                  name);
	return rc == STORE_OK ? 0 : resp_error(rq, ERR_INTERNAL, NULL);
}

int
act_get_server_certificate(struct request *rq)
{
	struct server_cert c;
	if (iam_find(rq, &c) < 0)
		return -1;
	json_t *sc = json_pack("{s:o,s:s}", "ServerCertificateMetadata",
	                       iam_metadata(&c), "CertificateBody", c.body);
	if (c.chain)
		json_object_set_new(sc, "CertificateChain",
		                    json_string(c.chain));
	json_object_set_new(rq->result, "ServerCertificate", sc);
	store_cert_free(&c);
	return 0;
}

int
act_delete_server_certificate(struct request *rq)
{
	struct server_cert c;
	long users = 0;
	if (iam_find(rq, &c) < 0)
		return -1;
	int rc = store_cert_in_use(rq->db, rq->account_id, c.arn, &users);
	if (rc != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	else if (users > 0)
		rc = resp_error(rq, ERR_DELETE_CONFLICT,
		                "Certificate %s is in use by %ld listener(s); "
		                "move them to another certificate or delete "
		                "them first",
		                c.name, users);
	else if (store_cert_delete(rq->db, c.id) != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	store_cert_free(&c);
	return rc;
}

/* Renames and/or moves a certificate: its ARN follows, and so do the
 * listeners that use it. */
int
act_update_server_certificate(struct request *rq)
{
	struct server_cert c;
	const char *new_name = param_get(rq, "NewServerCertificateName");
	const char *new_path = param_get(rq, "NewPath");
	if ((new_name && iam_check_name(rq, new_name) < 0) ||
	    (new_path && iam_check_path(rq, new_path) < 0) ||
	    iam_find(rq, &c) < 0)
		return -1;
	const char *name = new_name ? new_name : c.name;
	const char *path = new_path ? new_path : c.path;
	struct buf arn = BUF_INIT;
	buf_printf(&arn, "arn:aws:iam::%s:server-certificate%s%s",
	           rq->account_id, path, name);
	int rc = store_cert_rename(rq->db, &c, name, path, buf_str(&arn));
	if (rc == STORE_CONFLICT)
		rc = resp_error(rq, ERR_ENTITY_EXISTS,
		                "The Server Certificate with name %s already "
		                "exists; choose another name",
		                name);
	else if (rc != STORE_OK)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	buf_free(&arn);
	store_cert_free(&c);
	return rc;
}

struct iam_list {
	const char *prefix;
	json_t *out;
};

static int
iam_list_row(void *ctx, const struct server_cert *c)
{
	struct iam_list *l = ctx;
	if (strncmp(c->path, l->prefix, strlen(l->prefix)) == 0)
		json_array_append_new(l->out, iam_metadata(c));
	return 0;
}

int
act_list_server_certificates(struct request *rq)
{
	const char *prefix = param_get(rq, "PathPrefix");
	struct iam_list l = {prefix && *prefix ? prefix : "/", json_array()};
	json_object_set_new(rq->result, "ServerCertificateMetadataList", l.out);
	json_object_set_new(rq->result, "IsTruncated", json_false());
	if (store_cert_each(rq->db, rq->account_id, iam_list_row, &l) !=
	    STORE_OK)
		return resp_error(rq, ERR_INTERNAL, NULL);
	return 0;
}
