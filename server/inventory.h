/* `eulbd instance ...` and `eulbd subnet ...`: the inventory that stands in
 * for EC2 (instances with the addresses the data plane connects to). */
#ifndef EULB_INVENTORY_H
#define EULB_INVENTORY_H

#include <stdio.h>

/* 1 if argv (after "instance" or "subnet") is a command line it runs. */
int inventory_args_ok(const char *what, int argc, char **argv);
void inventory_usage(FILE *f);
/* Runs a command line inventory_args_ok accepts; returns the exit code. */
int inventory_command(const char *what, int argc, char **argv);

#endif
