/*
 * Group commit. One thread runs every write request: it takes all that
 * are queued (up to a batch) into one transaction, each inside its own
 * savepoint, and commits them together, so that they share one fsync and
 * every 200 is still durable before it is sent (dispatch_run_batch).
 */
#ifndef EULB_WRITER_H
#define EULB_WRITER_H

#include "request.h"

struct writer;

/* Called on the writer thread, once per request, after its batch has
 * committed or failed; rq holds its result or error. */
typedef void (*writer_done_fn)(struct request *rq, void *token);
/* Called under the queue lock just before rq is queued: the HTTP layer
 * suspends the connection there, so it cannot be resumed first. */
typedef void (*writer_park_fn)(void *token);

struct writer *writer_start(writer_done_fn done);
/* Queues a prepared write. -1 (park not called) once the writer stops:
 * the caller then runs the request itself. */
int writer_submit(struct writer *w, struct request *rq, void *token,
                  writer_park_fn park);
/* Wakes the writer to store the descriptions describes asked for
 * (lb_stored_want), if no batch comes first. */
void writer_poke(void *w);
/* Runs what is queued, then ends the thread; later submits get -1. */
void writer_stop(struct writer *w);
/* After writer_stop, once nothing can call writer_submit any more. */
void writer_free(struct writer *w);

#endif
