/*
 * A thread that accepts connections on a listening socket and hands each
 * to a callback: the HTTPS front's TLS threads, or libmicrohttpd's worker
 * threads through MHD_add_connection (http.c), which spreads them over
 * its pool instead of leaving a burst of them to whichever worker woke.
 */
#ifndef EULB_ACCEPTOR_H
#define EULB_ACCEPTOR_H

#include <sys/socket.h>

/* Takes fd (to keep or close) and the client's address. */
typedef void (*acceptor_take_fn)(void *ctx, int fd,
                                 const struct sockaddr_storage *addr,
                                 socklen_t addrlen);
/* 0 while no connection can be taken (at a limit): the acceptor then
 * leaves new ones in the kernel's backlog and looks again shortly. NULL:
 * always ready. */
typedef int (*acceptor_ready_fn)(void *ctx);

struct acceptor;

struct acceptor *acceptor_start(int listen_fd, acceptor_take_fn take,
                                acceptor_ready_fn ready, void *ctx);
/* Stops accepting and joins the thread (NULL: nothing to do). */
void acceptor_stop(struct acceptor *a);

#endif
