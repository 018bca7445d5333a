/* `eulbd instance ...` and `eulbd subnet ...`: the inventory that stands in
 * for EC2 (instances with the addresses the data plane connects to). */
#ifndef EULB_INVENTORY_H
#define EULB_INVENTORY_H

/* Returns the exit code. */
int inventory_command(const char *what, int argc, char **argv,
                      const char *db_path);

#endif
