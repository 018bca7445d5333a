/*
 * HTTPS for eulbd, terminated with OpenSSL in front of libmicrohttpd:
 * each accepted connection does its TLS handshake (requiring a client
 * certificate when a client CA is configured) in its own thread, then
 * its plaintext is handed to MHD over a socket pair. OpenSSL rather than
 * MHD's GnuTLS because a client without an acceptable certificate must
 * fail the handshake itself ("certificate required"), not get an HTTP
 * answer.
 */
#ifndef EULB_TLS_H
#define EULB_TLS_H

#include <stddef.h>

#include "config.h"

struct MHD_Daemon;
struct tls_front;

/* Loads the certificates (start-up errors are fatal to the caller). */
struct tls_front *tls_create(const struct server_config *c);
/* Starts accepting on listen_fd and feeding connections to d. */
int tls_start(struct tls_front *t, int listen_fd, struct MHD_Daemon *d);
/* Stops accepting; call before MHD_stop_daemon, then tls_free after. */
void tls_stop_accepting(struct tls_front *t);
/* Waits for every connection thread to finish, frees everything. */
void tls_free(struct tls_front *t);
/* The client certificate subject of the MHD-side socket fd, or "-". */
void tls_peer_subject(struct tls_front *t, int fd, char *out, size_t size);

#endif
