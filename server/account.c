#include "account.h"

#include <libgen.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "fileio.h"
#include "log.h"
#include "rand.h"
#include "store.h"

#define ADMIN_ACCOUNT "admin"
#define SYSTEM_ACCOUNT "eulb-system"
#define SECRET_ALPHABET                                                        \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

struct new_key {
	char account_id[13];
	char akid[21];
	char secret[41];
};

static int
account_new_key(struct db *db, struct new_key *k)
{
	memcpy(k->akid, "AKI", 3);
	if (rand_chars(k->akid + 3, 17, RAND_UPPER_DIGITS) < 0 ||
	    rand_chars(k->secret, 40, SECRET_ALPHABET) < 0)
		return -1;
	return store_key_insert(db, k->akid, k->account_id, k->secret) ==
	               STORE_OK
	           ? 0
	           : -1;
}

/* Creates account `name` with one key, in the caller's transaction. */
static int
account_create(struct db *db, const char *name, struct new_key *k)
{
	for (int tries = 0; tries < 5; tries++) {
		if (rand_chars(k->account_id, 12, RAND_DIGITS) < 0)
			return -1;
		int rc = store_account_insert(db, k->account_id, name);
		if (rc == STORE_OK)
			return account_new_key(db, k);
		if (rc != STORE_CONFLICT)
			return -1;
		struct account a;
		if (store_account_by_name(db, name, &a) == STORE_OK) {
			store_account_free(&a);
			fprintf(stderr, "eulbd: account '%s' already exists\n",
			        name);
			return -1;
		}
	}
	return -1;
}

static int
account_has_any(void *ctx, const struct account *a)
{
	if (strcmp(a->name, SYSTEM_ACCOUNT) == 0)
		return 0;
	*(int *)ctx = 1;
	return 1;
}

/* The system account owns the source security groups and holds the
 * servo credential (the only key allowed to call the servo actions). */
static int
account_ensure_system(struct db *db, struct server_config *c)
{
	char *sys = NULL;
	struct account a = {0};
	int rc = store_setting_get(db, "system_account_id", &sys);
	if (rc == STORE_NOT_FOUND) {
		char id[13];
		if (rand_chars(id, 12, RAND_DIGITS) < 0 ||
		    store_setting_set(db, "system_account_id", id) != STORE_OK)
			return -1;
		sys = xstrdup(id);
	} else if (rc != STORE_OK) {
		return -1;
	}
	snprintf(c->system_account_id, sizeof c->system_account_id, "%s", sys);
	free(sys);
	rc = store_account_by_id(db, c->system_account_id, &a);
	store_account_free(&a);
	if (rc != STORE_NOT_FOUND)
		return rc == STORE_OK ? 0 : -1;
	struct new_key k;
	memcpy(k.account_id, c->system_account_id, sizeof k.account_id);
	if (store_account_insert(db, k.account_id, SYSTEM_ACCOUNT) != STORE_OK)
		return -1;
	return account_new_key(db, &k);
}

int
account_bootstrap(struct server_config *c)
{
	struct db *db = db_thread();
	if (!db || db_begin(db, 1) < 0)
		return -1;
	int any = 0;
	struct new_key k;
	/* The first account is the cloud administrator's: it may act as
	 * another account (DelegateAccount). */
	if (account_ensure_system(db, c) < 0 ||
	    store_account_each(db, account_has_any, &any) != STORE_OK ||
	    (!any &&
	     (account_create(db, ADMIN_ACCOUNT, &k) < 0 ||
	      store_account_set_delegate(db, k.account_id, 1) != STORE_OK))) {
		db_rollback(db);
		return -1;
	}
	if (!any)
		log_info("created account %s (%s)", ADMIN_ACCOUNT,
		         k.account_id);
	if (db_commit(db) == 0)
		return 0;
	db_rollback(db);
	return -1;
}

static void
account_print_key(FILE *f, const char *account_id, const char *akid,
                  const char *secret)
{
	fprintf(f, "export EULB_ACCOUNT_ID=%s\n", account_id);
	fprintf(f, "export AWS_ACCESS_KEY_ID=%s\n", akid);
	fprintf(f, "export AWS_SECRET_ACCESS_KEY=%s\n", secret);
}

int
account_write_eucarc(const struct server_config *c, const char *base_url)
{
	struct db *db = db_thread();
	struct account a = {0};
	struct buf path = BUF_INIT;
	char *akid = NULL, *secret = NULL, *text = NULL;
	size_t len = 0;
	int rc = -1;
	if (!db || db_begin(db, 0) < 0)
		return -1;
	if (store_account_by_name(db, ADMIN_ACCOUNT, &a) != STORE_OK ||
	    store_key_first(db, a.id, &akid, &secret) != STORE_OK)
		goto out;
	char *dir_copy = xstrdup(c->db_path);
	buf_printf(&path, "%s/eucarc", dirname(dir_copy));
	free(dir_copy);
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		log_error("cannot write %s: %m", buf_str(&path));
		goto out;
	}
	fprintf(f, "export AWS_ELB_URL=%sservices/LoadBalancing/\n", base_url);
	fprintf(f, "export AWS_IAM_URL=%sservices/Euare/\n", base_url);
	account_print_key(f, a.id, akid, secret);
	fprintf(f, "export AWS_DEFAULT_REGION=%s\n", c->region);
	if (fclose(f) == 0)
		rc = file_write_atomic(buf_str(&path), text, len, 0600);
out:
	db_rollback(db);
	store_account_free(&a);
	free(akid);
	if (secret)
		OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	if (text)
		OPENSSL_cleanse(text, len);
	free(text);
	buf_free(&path);
	return rc;
}

static int
account_print_row(void *ctx, const struct account *a)
{
	printf("ACCOUNT\t%s\t%s%s\n", a->id, a->name,
	       a->may_delegate ? "\tmay-delegate" : "");
	return 0;
}

static int
account_cmd_create(struct db *db, const char *name, int key_only,
                   int may_delegate)
{
	struct new_key k;
	struct account a = {0};
	int rc;
	if (key_only) {
		rc = store_account_by_name(db, name, &a);
		if (rc == STORE_NOT_FOUND)
			fprintf(stderr, "eulbd: there is no account '%s'\n",
			        name);
		if (rc != STORE_OK)
			return -1;
		memcpy(k.account_id, a.id, sizeof k.account_id);
		store_account_free(&a);
		rc = account_new_key(db, &k);
	} else {
		rc = account_create(db, name, &k);
		if (rc == 0 && may_delegate &&
		    store_account_set_delegate(db, k.account_id, 1) != STORE_OK)
			rc = -1;
	}
	if (rc == 0)
		account_print_key(stdout, k.account_id, k.akid, k.secret);
	return rc;
}

/* `eulbd account delegation NAME on|off` */
static int
account_cmd_delegation(struct db *db, const char *name, const char *onoff)
{
	struct account a = {0};
	int on = strcmp(onoff, "on") == 0;
	if (!on && strcmp(onoff, "off") != 0) {
		fprintf(stderr,
		        "eulbd: account delegation wants on or off, "
		        "not '%s'\n",
		        onoff);
		return -1;
	}
	int rc = store_account_by_name(db, name, &a);
	if (rc == STORE_NOT_FOUND ||
	    (rc == STORE_OK && strcmp(a.name, SYSTEM_ACCOUNT) == 0)) {
		fprintf(stderr, "eulbd: there is no account '%s'\n", name);
		rc = STORE_NOT_FOUND;
	}
	if (rc == STORE_OK)
		rc = store_account_set_delegate(db, a.id, on);
	store_account_free(&a);
	return rc == STORE_OK ? 0 : -1;
}

static int
account_cmd_servo(struct db *db)
{
	struct server_config c = {0};
	char *akid = NULL, *secret = NULL;
	int rc = account_ensure_system(db, &c);
	if (rc == 0 && store_key_first(db, c.system_account_id, &akid,
	                               &secret) != STORE_OK)
		rc = -1;
	/* Only the key: these lines are eval'ed beside a user's eucarc. */
	if (rc == 0)
		printf("export AWS_ACCESS_KEY_ID=%s\n"
		       "export AWS_SECRET_ACCESS_KEY=%s\n",
		       akid, secret);
	free(akid);
	free(secret);
	return rc;
}

void
account_usage(FILE *f)
{
	fprintf(
	    f, "usage: eulbd account create NAME [--may-delegate] [--db FILE]\n"
	       "       eulbd account create-key NAME [--db FILE]\n"
	       "       eulbd account delegation NAME on|off [--db FILE]\n"
	       "       eulbd account list [--db FILE]\n"
	       "       eulbd servo-credentials [--db FILE]\n");
}

int
account_args_ok(int argc, char **argv)
{
	const char *sub = argc > 0 ? argv[0] : "";
	int create = strcmp(sub, "create") == 0;
	int may_delegate =
	    create && argc == 3 && strcmp(argv[2], "--may-delegate") == 0;
	return (strcmp(sub, "list") == 0 && argc == 1) ||
	       (strcmp(sub, "servo-credentials") == 0 && argc == 1) ||
	       ((create || strcmp(sub, "create-key") == 0) &&
	        (argc == 2 || may_delegate) && *argv[1]) ||
	       (strcmp(sub, "delegation") == 0 && argc == 3 && *argv[1]);
}

int
account_command(int argc, char **argv, const char *db_path)
{
	const char *sub = argv[0];
	int list = strcmp(sub, "list") == 0;
	int servo = strcmp(sub, "servo-credentials") == 0;
	int key = strcmp(sub, "create-key") == 0;
	int delegation = strcmp(sub, "delegation") == 0;
	int may_delegate = argc == 3 && !delegation;
	struct db *db = db_thread();
	if (!db || db_begin(db, !list) < 0)
		return 1;
	int rc =
	    servo ? account_cmd_servo(db)
	    : list
	        ? (store_account_each(db, account_print_row, NULL) == STORE_OK
	               ? 0
	               : -1)
	    : delegation ? account_cmd_delegation(db, argv[1], argv[2])
	                 : account_cmd_create(db, argv[1], key, may_delegate);
	if (rc == 0 && db_commit(db) == 0)
		return 0;
	db_rollback(db);
	return 1;
}
