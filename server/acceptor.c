#include "acceptor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

/* After accept() fails for lack of descriptors or memory, wait this long
 * before trying again instead of spinning on a listen socket that stays
 * readable. */
#define ACCEPTOR_BACKOFF_MS 100

struct acceptor {
	int listen_fd;
	int wake[2]; /* a byte stops the thread */
	pthread_t thread;
	acceptor_take_fn take;
	void *ctx;
};

/* One accept; 1 to back off (out of descriptors or memory). */
static int
acceptor_one(struct acceptor *a)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof addr;
	int fd =
	    accept4(a->listen_fd, (struct sockaddr *)&addr, &len, SOCK_CLOEXEC);
	if (fd >= 0) {
		a->take(a->ctx, fd, &addr, len);
		return 0;
	}
	int e = errno;
	if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM)
		return 0; /* the client went away, a signal, EAGAIN: go on */
	log_warn("cannot accept: %s; backing off", strerror(e));
	return 1;
}

static void *
acceptor_main(void *arg)
{
	struct acceptor *a = arg;
	int backoff = 0;
	for (;;) {
		struct pollfd p[2] = {{a->listen_fd, backoff ? 0 : POLLIN, 0},
		                      {a->wake[0], POLLIN, 0}};
		int n = poll(p, 2, backoff ? ACCEPTOR_BACKOFF_MS : -1);
		if (n < 0 && errno != EINTR) {
			log_error(
			    "accept thread: poll: %s; no longer accepting",
			    strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		backoff = 0; /* a back-off ends with the poll's timeout */
		if (n > 0 && (p[0].revents & POLLIN))
			backoff = acceptor_one(a);
	}
	return NULL;
}

struct acceptor *
acceptor_start(int listen_fd, acceptor_take_fn take, void *ctx)
{
	struct acceptor *a = xcalloc(1, sizeof *a);
	a->listen_fd = listen_fd;
	a->take = take;
	a->ctx = ctx;
	int fl = fcntl(listen_fd, F_GETFL);
	if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    pipe2(a->wake, O_CLOEXEC) < 0) {
		free(a);
		return NULL;
	}
	if (pthread_create(&a->thread, NULL, acceptor_main, a) != 0) {
		close(a->wake[0]);
		close(a->wake[1]);
		free(a);
		return NULL;
	}
	return a;
}

void
acceptor_stop(struct acceptor *a)
{
	if (!a)
		return;
	if (write(a->wake[1], "x", 1) < 0)
		log_warn("cannot wake the accept thread");
	pthread_join(a->thread, NULL);
	close(a->wake[0]);
	close(a->wake[1]);
	free(a);
}
