#include "writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "buf.h"
#include "db.h"
#include "dispatch.h"
#include "lb_stored.h"
#include "log.h"

/* Enough to share one fsync among every connection of a busy server,
 * small enough that the first of a batch waits little for the last. */
#define WRITER_BATCH 64
/* How often an idle writer ends kept reads made stale by other processes
 * and checkpoints (db_maintain). */
#define WRITER_SWEEP_SECONDS 1

struct writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct request *head, *tail; /* linked by queue_next */
	int stopping;
	int poked; /* writer_poke: lb_stored has descriptions to store */
	writer_done_fn done;
};

static size_t
writer_take(struct writer *w, struct request **batch)
{
	size_t n = 0;
	while (w->head && n < WRITER_BATCH) {
		batch[n++] = w->head;
		w->head = w->head->queue_next;
	}
	if (!w->head)
		w->tail = NULL;
	return n;
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct request *batch[WRITER_BATCH];
	for (;;) {
		pthread_mutex_lock(&w->lock);
		int timed_out = 0;
		while (!w->head && !w->stopping && !timed_out && !w->poked) {
			struct timespec until;
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += WRITER_SWEEP_SECONDS;
			timed_out = pthread_cond_timedwait(&w->wake, &w->lock,
			                                   &until) == ETIMEDOUT;
		}
		size_t n = writer_take(w, batch);
		int stopping = w->stopping, poked = w->poked;
		w->poked = 0;
		pthread_mutex_unlock(&w->lock);
		if (n == 0) {
			if (stopping)
				break; /* and nothing left */
			if (poked) {
				/* Else a batch stores them (dispatch.c). */
				struct db *db = db_thread();
				if (db) {
					lb_stored_run(db);
					db_maintain(0);
				}
				continue;
			}
			db_maintain(1);
			continue;
		}
		struct db *db = db_thread();
		if (db)
			dispatch_run_batch(batch, n, db);
		for (size_t i = 0; i < n; i++) {
			if (!db)
				resp_error(batch[i], ERR_SERVICE_UNAVAILABLE,
				           "The database cannot be opened; "
				           "retry later");
			/* Not touched after this: the connection may end. */
			w->done(batch[i], batch[i]->queue_token);
		}
		if (db)
			db_maintain(0);
	}
	return NULL;
}

struct writer *
writer_start(writer_done_fn done)
{
	struct writer *w = xcalloc(1, sizeof *w);
	w->done = done;
	pthread_mutex_init(&w->lock, NULL);
	/* The idle sweep's timer: a wall-clock step must not stretch it. */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		log_error("cannot start the writer thread");
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->wake);
		free(w);
		return NULL;
	}
	return w;
}

int
writer_submit(struct writer *w, struct request *rq, void *token,
              writer_park_fn park)
{
	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		return -1;
	}
	park(token);
	rq->queue_token = token;
	rq->queue_next = NULL;
	if (w->tail)
		w->tail->queue_next = rq;
	else
		w->head = rq;
	w->tail = rq;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void
writer_poke(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->lock);
	w->poked = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void
writer_stop(struct writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
}

void
writer_free(struct writer *w)
{
	if (!w)
		return;
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w);
}
