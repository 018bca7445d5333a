/*
 * A thread that accepts connections on a listening socket and hands each
 * to a callback (the HTTPS front's TLS threads).
 */
#ifndef EULB_ACCEPTOR_H
#define EULB_ACCEPTOR_H

#include <sys/socket.h>

/* Takes fd (to keep or close) and the client's address. */
typedef void (*acceptor_take_fn)(void *ctx, int fd,
                                 const struct sockaddr_storage *addr,
                                 socklen_t addrlen);
struct acceptor;

/* listen_fd is made non-blocking: a client gone between poll() and
 * accept() must not stall the thread (and acceptor_stop). */
struct acceptor *acceptor_start(int listen_fd, acceptor_take_fn take,
                                void *ctx);
/* Stops accepting and joins the thread (NULL: nothing to do). */
void acceptor_stop(struct acceptor *a);

#endif
