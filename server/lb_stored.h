/* Stored descriptions (schema/0011): rendering the ones cleared. */
#ifndef EULB_LB_STORED_H
#define EULB_LB_STORED_H

#include <stdint.h>

#include "config.h"
#include "store.h"

/* Renders up to limit of the descriptions the triggers of schema/0011
 * cleared, of load balancers with ids below *below, highest first, in
 * the write transaction that cleared them; sets *below to the last one
 * tried. How many were tried (one that fails is logged and left to be
 * read from its rows), or -1. */
int lb_stored_refresh(struct db *db, const struct server_config *c,
                      int64_t *below, long limit);
/* Clears every stored description if what they depend on outside the
 * database (DNS domain, regions and their hosted zones, the system
 * account) is not what they were rendered with, else those marked too
 * large; in a write transaction. */
int lb_stored_check_config(struct db *db, const struct server_config *c);

#endif
