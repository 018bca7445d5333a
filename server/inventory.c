#include "inventory.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "store.h"

void
inventory_usage(FILE *f)
{
	fprintf(f,
	        "usage: eulbd instance add ACCOUNT INSTANCE_ID ADDRESS [ZONE] "
	        "[--db FILE]\n"
	        "       eulbd instance remove ACCOUNT INSTANCE_ID [--db FILE]\n"
	        "       eulbd instance list [--db FILE]\n"
	        "       eulbd subnet add ACCOUNT SUBNET_ID ZONE VPC_ID "
	        "[--db FILE]\n"
	        "ACCOUNT is an account name or its 12-digit id.\n");
}

/* An account named by name or by id. */
static int
inventory_account(struct db *db, const char *which, struct account *a)
{
	int rc = store_account_by_name(db, which, a);
	if (rc == STORE_NOT_FOUND)
		rc = store_account_by_id(db, which, a);
	if (rc == STORE_NOT_FOUND)
		fprintf(stderr, "eulbd: there is no account '%s'\n", which);
	return rc == STORE_OK ? 0 : -1;
}

static int
inventory_print(void *ctx, const struct inventory_instance *i)
{
	printf("INSTANCE\t%s\t%s\t%s\t%s\n", i->account_name, i->instance_id,
	       i->address, i->zone ? i->zone : "");
	return 0;
}

static int
inventory_run(struct db *db, const char *what, int argc, char **argv)
{
	const char *sub = argv[0];
	struct account a = {0};
	int rc = -1;
	if (strcmp(what, "instance") == 0 && strcmp(sub, "list") == 0)
		return store_inventory_instance_each(db, inventory_print,
		                                     NULL) == STORE_OK
		           ? 0
		           : -1;
	if (inventory_account(db, argv[1], &a) < 0)
		return -1;
	if (strcmp(what, "subnet") == 0)
		rc = store_inventory_subnet_add(db, a.id, argv[2], argv[3],
		                                argv[4]);
	else if (strcmp(sub, "add") == 0)
		rc = store_inventory_instance_add(db, a.id, argv[2], argv[3],
		                                  argc > 4 ? argv[4] : NULL);
	else
		rc = store_inventory_instance_remove(db, a.id, argv[2]);
	if (rc == STORE_CONFLICT)
		fprintf(stderr, "eulbd: %s %s already exists in account %s\n",
		        what, argv[2], a.name);
	if (rc == STORE_NOT_FOUND)
		fprintf(stderr, "eulbd: there is no %s %s in account %s\n",
		        what, argv[2], a.name);
	store_account_free(&a);
	return rc == STORE_OK ? 0 : -1;
}

int
inventory_args_ok(const char *what, int argc, char **argv)
{
	if (argc < 1)
		return 0;
	if (strcmp(what, "subnet") == 0)
		return strcmp(argv[0], "add") == 0 && argc == 5;
	if (strcmp(argv[0], "list") == 0)
		return argc == 1;
	if (strcmp(argv[0], "add") == 0)
		return argc == 4 || argc == 5;
	return strcmp(argv[0], "remove") == 0 && argc == 3;
}

int
inventory_command(const char *what, int argc, char **argv)
{
	struct db *db = db_thread();
	if (!db || db_begin(db, 1) < 0)
		return 1;
	if (inventory_run(db, what, argc, argv) == 0 && db_commit(db) == 0)
		return 0;
	db_rollback(db);
	return 1;
}
