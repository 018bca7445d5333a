/*
 * IAM 2010-05-08 server-certificate actions, answered on the same endpoint
 * as ELB (euca2ools' euare-servercert* and `aws iam` use them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int
iam_check_upload(struct request *rq, struct server_cert *c)
{
	struct pem_cert_info info;
	char why[256];
	int mismatch = 0;
	if (pem_server_certificate_check(c->body, c->private_key, c->chain,
	                                 &info, &mismatch, why, sizeof why) < 0)
		return resp_error(rq,
		                  mismatch ? ERR_KEY_PAIR_MISMATCH
		                           : ERR_MALFORMED_CERTIFICATE,
		                  "Server certificate '%s' is not accepted: %s",
		                  c->name, why);
	c->expiration = xstrdup(info.not_after);
	return 0;
}

int
act_upload_server_certificate(struct request *rq)
{
	struct server_cert c = {0};
	const char *name = param_get(rq, "ServerCertificateName");
	const char *path = param_get(rq, "Path");
	const char *chain = param_get(rq, "CertificateChain");
	if (!path || !*path)
		path = "/";
	if (iam_check_name(rq, name) < 0 || iam_check_path(rq, path) < 0)
		return -1;
	memcpy(c.account_id, rq->account_id, sizeof c.account_id);
	c.name = xstrdup(name);
	c.path = xstrdup(path);
	c.body = xstrdup(param_get(rq, "CertificateBody"));
	c.private_key = xstrdup(param_get(rq, "PrivateKey"));
	c.chain = chain && *chain ? xstrdup(chain) : NULL;
	char id[22] = "ASCA", now[32];
	struct buf arn = BUF_INIT;
	int rc = iam_check_upload(rq, &c);
	if (rc == 0 && rand_chars(id + 4, 17, RAND_UPPER_DIGITS) < 0)
		rc = resp_error(rq, ERR_INTERNAL, NULL);
	if (rc == 0) {
		store_now(now);
		buf_printf(&arn, "arn:aws:iam::%s:server-certificate%s%s",
		           rq->account_id, path, name);
		c.certificate_id = xstrdup(id);
		c.arn = buf_steal(&arn);
		c.upload_date = xstrdup(now);
		int s = store_cert_insert(rq->db, &c);
		if (s == STORE_CONFLICT)
			rc = resp_error(rq, ERR_ENTITY_EXISTS,
			                "The Server Certificate with name %s "
			                "already exists; delete it first or "
			                "choose another name",
			                name);
		else if (s != STORE_OK)
			rc = resp_error(rq, ERR_INTERNAL, NULL);
	}
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
