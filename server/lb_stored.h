/* Stored descriptions (schema/0011): rendering the ones cleared. */
#ifndef EULB_LB_STORED_H
#define EULB_LB_STORED_H

#include "config.h"
#include "store.h"

/* Where lb_stored_want sends the writer thread (wake(arg)), and the
 * configuration descriptions are rendered in; wake NULL: nowhere (the
 * writer is gone). */
void lb_stored_start(const struct server_config *c, void (*wake)(void *),
                     void *arg);
/* A describe read these from their rows: store the descriptions of those
 * without one (neither stored nor marked too large). */
void lb_stored_want(const struct lb *lbs, size_t n);
/* How many ids wait to be stored. */
int lb_stored_pending(void);
/* In a write transaction (the writer's batch, or after the writer has
 * stopped a request's own): stores what was asked for. -1 if one could
 * not be (it and any after it are read from their rows). */
int lb_stored_render_wanted(struct db *db);
/* The same in a transaction of its own, if anything waits. */
void lb_stored_run(struct db *db);
/* Clears every stored description if what they depend on outside the
 * database (DNS domain, regions and their hosted zones, the system
 * account) is not what they were rendered with, else those marked too
 * large; in a write transaction. */
int lb_stored_check_config(struct db *db, const struct server_config *c);

#endif
