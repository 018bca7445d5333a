/*
 * The store: every read and write of eulb's state, in domain terms. The
 * SQL lives in statements.def; nothing above this header sees SQLite.
 * Functions return STORE_OK, STORE_NOT_FOUND, STORE_CONFLICT (a uniqueness
 * rule was hit) or STORE_ERROR (logged where it happened).
 */
#ifndef EULB_STORE_H
#define EULB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

enum store_rc {
	STORE_ERROR = -1,
	STORE_OK = 0,
	STORE_NOT_FOUND = 1,
	STORE_CONFLICT = 2,
};

/* Now as ISO-8601 UTC with milliseconds: 2026-01-02T03:04:05.678Z. */
void store_now(char out[32]);
/* The case-folded form under which names are unique (malloc'd). */
/* A load balancer's key within its account: its lower-case name, behind
 * "<region>/" outside the home region (region ""; schema/0006). */
char *store_name_key(const char *region, const char *name);

/* settings */
int store_setting_get(struct db *db, const char *key, char **value);
int store_setting_set(struct db *db, const char *key, const char *value);

/* accounts and access keys */
struct account {
	char id[13];
	char *name;
	int may_delegate; /* may act as another account (DelegateAccount) */
};
int store_account_insert(struct db *db, const char *id, const char *name);
int store_account_by_name(struct db *db, const char *name, struct account *out);
int store_account_by_id(struct db *db, const char *id, struct account *out);
/* Calls fn for every account, ordered by name. */
int store_account_each(struct db *db,
                       int (*fn)(void *ctx, const struct account *a),
                       void *ctx);
void store_account_free(struct account *a);
int store_account_set_delegate(struct db *db, const char *id, int may);
int store_key_insert(struct db *db, const char *akid, const char *account_id,
                     const char *secret);
/* The account and secret of an active key. */
/* The account and the still-sealed secret of an active key;
 * store_key_unseal opens it (NULL, logged, if it does not open). */
int store_key_lookup_sealed(struct db *db, const char *akid,
                            char account_id[13], char **sealed);
char *store_key_unseal(const char *akid, const char *sealed);
/* The oldest active key of an account (for eucarc). */
int store_key_first(struct db *db, const char *account_id, char **akid,
                    char **secret);

/* load balancers */
struct lb {
	int64_t id;
	char account_id[13];
	char *name;
	char *scheme;
	char *created_at;
	char *vpc_id;
	char *hc_target; /* NULL until a health check exists */
	long hc_interval, hc_timeout, hc_unhealthy, hc_healthy;
	/* LB_PART_BIT of each list with rows (schema/0010) */
	unsigned lists;
	/* Its DescribeLoadBalancers member as XML, and that text's
	 * resp_size_bound; NULL or "" when it must be rendered from the rows
	 * (schema/0011), and NULL unless read by store_lb_get_described or
	 * store_lb_page. */
	char *described;
	size_t described_bound;
	char *region; /* its region key */
};
void store_lb_free(struct lb *lb);
/* The load balancer of that id if its description is to be rendered
 * (NULL), else STORE_NOT_FOUND. */
int store_lb_undescribed_get(struct db *db, int64_t id, struct lb *out);
int store_lb_set_described(struct db *db, int64_t lb_id, const char *text,
                           size_t bound);
/* Every description is to be rendered again (all), or those marked too
 * large to store. */
int store_lb_forget_described(struct db *db, int all);
/* Load balancers belong to an account and a region: region is the
 * request's region key ("" for the home region; request_region_key). */
int store_lb_get(struct db *db, const char *account_id, const char *region,
                 const char *name, struct lb *out);
/* The same, with its stored description. */
int store_lb_get_described(struct db *db, const char *account_id,
                           const char *region, const char *name,
                           struct lb *out);
/* Sets lb->id. STORE_CONFLICT if the account has that name (any case) in
 * the region. */
int store_lb_insert(struct db *db, const char *region, struct lb *lb);
int store_lb_delete(struct db *db, int64_t lb_id);
/* How many load balancers the account has in the region. */
int store_lb_count(struct db *db, const char *account_id, const char *region,
                   long *count);
int store_lb_set_health_check(struct db *db, const struct lb *lb);
/* Up to limit load balancers of the account whose key sorts after marker
 * (NULL: from the start), in key order, into a new array *rows of *n
 * (store_lb_rows_free), with their stored descriptions up to
 * described_max bytes in all. */
int store_lb_page(struct db *db, const char *account_id, const char *region,
                  const char *marker, long limit, size_t described_max,
                  struct lb **rows, size_t *n);
void store_lb_rows_free(struct lb *rows, size_t n);

/* The lists of a page of load balancers, as DescribeLoadBalancers reads
 * them: a page is the account's load balancers of the region whose keys
 * (store_name_key) lie between first_key and last_key; lists is the
 * LB_PART_BITs of any of them (struct lb), and a part without its bit is
 * not read at all: every load balancer's is empty. Each part is one
 * statement whose rows come in the page's order; walk them in step with
 * the page: store_page_peek is 1 while the part's next row belongs to
 * lb_id (its columns then readable until the next peek of that part), 0
 * when it belongs to a later load balancer or there is none, -1 on error;
 * store_page_next moves past it. Columns (0 is the load balancer's id):
 *   ZONES, SUBNETS, GROUPS: 1 value, in order
 *   LISTENERS: 1 lb_port, 2 protocol, 3 instance_port, 4
 *     instance_protocol, 5 certificate or NULL, 6 policy name or NULL
 *     (one row per policy of the listener, in order)
 *   POLICIES: 1 bucket (0 app cookie, 1 LB cookie, 2 other), 2 id, 3 name,
 *     4 and 5 attribute name and value of a stickiness policy (or NULL),
 *     by bucket, then creation, then attribute position
 *   BACKENDS: 1 instance port, 2 policy name, by port then position
 *   INSTANCES: 1 instance id, in registration order */
enum lb_part {
	LB_PART_ZONES,
	LB_PART_SUBNETS,
	LB_PART_GROUPS,
	LB_PART_LISTENERS,
	LB_PART_POLICIES,
	LB_PART_BACKENDS,
	LB_PART_INSTANCES,
	LB_PART_COUNT
};
#define LB_PART_BIT(part) (1u << (part))
struct store_page;
struct store_page *store_page_open(struct db *db, const char *account_id,
                                   const char *region, const char *first_key,
                                   const char *last_key, unsigned lists);
/* The same for a page of one load balancer, by its id. */
struct store_page *store_page_open_one(struct db *db, int64_t lb_id,
                                       unsigned lists);
int store_page_peek(struct store_page *p, enum lb_part part, int64_t lb_id);
void store_page_next(struct store_page *p, enum lb_part part);
const char *store_page_text(struct store_page *p, enum lb_part part, int col);
long store_page_int(struct store_page *p, enum lb_part part, int col);
void store_page_close(struct store_page *p);

/* zones, subnets, security groups: ordered string lists of a load balancer */
enum lb_list {
	LB_LIST_ZONES,
	LB_LIST_SUBNETS,
	LB_LIST_SECURITY_GROUPS,
};
int store_lb_list_add(struct db *db, enum lb_list which, int64_t lb_id,
                      const char *value);
int store_lb_list_each(struct db *db, enum lb_list which, int64_t lb_id,
                       int (*fn)(void *ctx, const char *value), void *ctx);

/* listeners */
struct listener {
	long lb_port;
	char protocol[8];
	long instance_port;
	char instance_protocol[8];
	char *ssl_certificate_id; /* NULL when none */
};
int store_listener_get(struct db *db, int64_t lb_id, long lb_port,
                       struct listener *out);
int store_listener_insert(struct db *db, int64_t lb_id,
                          const struct listener *l);
int store_listener_delete(struct db *db, int64_t lb_id, long lb_port);
int store_listener_count(struct db *db, int64_t lb_id, long *count);
/* In load-balancer port order. */
int store_listener_each(struct db *db, int64_t lb_id,
                        int (*fn)(void *ctx, const struct listener *l),
                        void *ctx);
void store_listener_free(struct listener *l);
int store_listener_set_certificate(struct db *db, int64_t lb_id, long lb_port,
                                   const char *arn);

/* policies of a load balancer, with ordered attributes */
struct policy {
	int64_t id;
	char *name;
	char *type;
};
void store_policy_free(struct policy *p);
int store_policy_get(struct db *db, int64_t lb_id, const char *name,
                     struct policy *out);
/* Sets p->id. STORE_CONFLICT if the load balancer has that name. */
int store_policy_insert(struct db *db, int64_t lb_id, struct policy *p,
                        const char *fingerprint);
int store_policy_attr_add(struct db *db, int64_t policy_id, int position,
                          const char *name, const char *value);
int store_policy_delete(struct db *db, int64_t policy_id);
int store_policy_count(struct db *db, int64_t lb_id, long *count);
/* In creation order. */
int store_policy_each(struct db *db, int64_t lb_id,
                      int (*fn)(void *ctx, const struct policy *p), void *ctx);
int store_policy_attr_each(struct db *db, int64_t policy_id,
                           int (*fn)(void *ctx, const char *name,
                                     const char *value),
                           void *ctx);
/* Whether it is attached to a listener or back-end port, or named by an
 * attached policy. */
int store_policy_in_use(struct db *db, int64_t lb_id, const struct policy *p,
                        int *in_use);
/* Replace the policies of a listener / back-end port (ids in order). */
int store_listener_policies_set(struct db *db, int64_t lb_id, long lb_port,
                                const int64_t *ids, size_t n);
int store_backend_policies_set(struct db *db, int64_t lb_id, long instance_port,
                               const int64_t *ids, size_t n);
/* A listener's policies, in order. */
int store_listener_policy_each(struct db *db, int64_t lb_id, long lb_port,
                               int (*fn)(void *ctx, const char *name,
                                         const char *type),
                               void *ctx);
/* All back-end policies, by instance port then position. */
int store_backend_policy_each(struct db *db, int64_t lb_id,
                              int (*fn)(void *ctx, long instance_port,
                                        const char *name),
                              void *ctx);

/* IAM server certificates */
struct server_cert {
	int64_t id;
	char account_id[13];
	char *name;
	char *path;
	char *certificate_id;
	char *arn;
	char *body;
	char *chain;
	char *private_key; /* only when inserting; never read back here */
	char *upload_date;
	char *expiration;
};
void store_cert_free(struct server_cert *c);
int store_cert_insert(struct db *db, struct server_cert *c);
int store_cert_by_name(struct db *db, const char *account_id, const char *name,
                       struct server_cert *out);
int store_cert_by_arn(struct db *db, const char *account_id, const char *arn,
                      struct server_cert *out);
int store_cert_each(struct db *db, const char *account_id,
                    int (*fn)(void *ctx, const struct server_cert *c),
                    void *ctx);
int store_cert_delete(struct db *db, int64_t id);
/* How many certificates the account holds under names other than name:
 * how many an upload of name would add to (--max-server-certificates). */
int store_cert_count_others(struct db *db, const char *account_id,
                            const char *name, long *count);
/* Gives c a new name, path and ARN, and moves the listeners that use it
 * to the new ARN. STORE_CONFLICT if the account has that name already. */
int store_cert_rename(struct db *db, const struct server_cert *c,
                      const char *name, const char *path, const char *arn);
/* Re-seals every stored secret with the current sealing key (after a
 * rotation began, or for values stored before sealing existed). */
int store_secrets_reseal(struct db *db);
/* How many stored secrets are sealed (any key). */
int store_secrets_sealed(struct db *db, long *count);
/* The private key, for the data plane only (malloc'd). */
int store_cert_private_key(struct db *db, const char *account_id,
                           const char *arn, char **key);
int store_cert_in_use(struct db *db, const char *account_id, const char *arn,
                      long *listeners);

/* the instance and subnet inventory (there is no EC2 here) */
struct inventory_instance {
	char *account_name;
	char *instance_id;
	char *address;
	char *zone; /* NULL when unknown */
};
void store_inventory_instance_free(struct inventory_instance *i);
int store_inventory_instance_add(struct db *db, const char *account_id,
                                 const char *instance_id, const char *address,
                                 const char *zone);
int store_inventory_instance_get(struct db *db, const char *account_id,
                                 const char *instance_id,
                                 struct inventory_instance *out);
int store_inventory_instance_remove(struct db *db, const char *account_id,
                                    const char *instance_id);
int store_inventory_instance_each(struct db *db,
                                  int (*fn)(void *ctx,
                                            const struct inventory_instance *i),
                                  void *ctx);
int store_inventory_subnet_add(struct db *db, const char *account_id,
                               const char *subnet_id, const char *zone,
                               const char *vpc_id);
/* zone and vpc_id are malloc'd. */
int store_inventory_subnet_get(struct db *db, const char *account_id,
                               const char *subnet_id, char **zone,
                               char **vpc_id);

/* instances registered with a load balancer, and their health */
struct lb_instance {
	char *instance_id;
	char *state;
	char *reason_code;
	char *description;
};
void store_instance_free(struct lb_instance *i);
/* STORE_CONFLICT if already registered. */
int store_instance_add(struct db *db, int64_t lb_id,
                       const struct lb_instance *i);
int store_instance_remove(struct db *db, int64_t lb_id,
                          const char *instance_id);
/* STORE_NOT_FOUND if the instance is not registered. */
int store_instance_set_state(struct db *db, int64_t lb_id,
                             const struct lb_instance *i);
int store_instance_get(struct db *db, int64_t lb_id, const char *instance_id,
                       struct lb_instance *out);
/* In registration order. */
int store_instance_each(struct db *db, int64_t lb_id,
                        int (*fn)(void *ctx, const struct lb_instance *i),
                        void *ctx);
/* Registrations over all the account's load balancers. */
int store_instance_count(struct db *db, const char *account_id,
                         const char *region, long *count);

int store_lb_list_remove(struct db *db, enum lb_list which, int64_t lb_id,
                         const char *value);
int store_lb_groups_clear(struct db *db, int64_t lb_id);
int store_lb_set_vpc(struct db *db, int64_t lb_id, const char *vpc_id);

/* attributes (dotted names) and tags */
int store_attr_set(struct db *db, int64_t lb_id, const char *name,
                   const char *value);
int store_attr_each(struct db *db, int64_t lb_id,
                    int (*fn)(void *ctx, const char *name, const char *value),
                    void *ctx);
/* Adds or replaces the value of key. */
int store_tag_set(struct db *db, int64_t lb_id, const char *key,
                  const char *value);
int store_tag_remove(struct db *db, int64_t lb_id, const char *key);
int store_tag_count(struct db *db, int64_t lb_id, long *count);
int store_tag_each(struct db *db, int64_t lb_id,
                   int (*fn)(void *ctx, const char *key, const char *value),
                   void *ctx);

#endif
