/* Accounts and access keys: start-up bootstrap, eucarc, `eulbd account`. */
#ifndef EULB_ACCOUNT_H
#define EULB_ACCOUNT_H

#include <stdio.h>

#include "config.h"

/* First start: the system account id and an `admin` account with a key.
 * Fills c->system_account_id. */
int account_bootstrap(struct server_config *c);
/* Writes <dir of db>/eucarc (0600) for admin, pointing at base_url. */
int account_write_eucarc(const struct server_config *c, const char *base_url);
/* `eulbd account create|create-key|delegation|list ...` and `eulbd
 * servo-credentials`: 1 if argv is a command line account_command runs. */
int account_args_ok(int argc, char **argv);
void account_usage(FILE *f);
/* Runs a command line account_args_ok accepts; returns the exit code. */
int account_command(int argc, char **argv, const char *db_path);

#endif
