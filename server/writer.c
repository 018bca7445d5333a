#include "writer.h"

#include <pthread.h>
#include <stdlib.h>

#include "buf.h"
#include "db.h"
#include "dispatch.h"
#include "log.h"

/* Enough to share one fsync among every connection of a busy server,
 * small enough that the first of a batch waits little for the last. */
#define WRITER_BATCH 64

struct writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct request *head, *tail; /* linked by queue_next */
	int stopping;
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
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		size_t n = writer_take(w, batch);
		pthread_mutex_unlock(&w->lock);
		if (n == 0)
			break; /* stopping, and nothing left */
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
	}
	return NULL;
}

struct writer *
writer_start(writer_done_fn done)
{
	struct writer *w = xcalloc(1, sizeof *w);
	w->done = done;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
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
