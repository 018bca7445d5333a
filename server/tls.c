#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "acceptor.h"
#include "buf.h"
#include "log.h"
#include "pem.h"

#define TLS_HANDSHAKE_MS 10000
#define TLS_MAX_FD 65536

struct tls_conn;

struct tls_front {
	SSL_CTX *ctx;
	unsigned max_conns, max_per_ip;
	X509 *client_ca; /* the CA a client's chain must pass through */
	struct MHD_Daemon *daemon;
	struct acceptor *acceptor;
	pthread_mutex_t lock;
	pthread_cond_t idle;        /* active or handing fell to 0 */
	int closing;                /* MHD is stopping: hand nothing over */
	unsigned handing;           /* threads inside MHD_add_connection */
	unsigned active;            /* connection threads alive */
	struct tls_conn *conns;     /* those threads' connections */
	char *subjects[TLS_MAX_FD]; /* by MHD-side fd, for the request log */
};

struct tls_conn {
	struct tls_conn *prev, *next;
	struct tls_front *t;
	int fd;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

static void
tls_log_errors(const char *what)
{
	unsigned long e = ERR_get_error();
	char msg[256] = "unknown error";
	if (e)
		ERR_error_string_n(e, msg, sizeof msg);
	log_info("tls: %s: %s", what, msg);
	ERR_clear_error();
}

static X509 *
tls_read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, pem_no_passphrase, NULL) : NULL;
	if (f)
		fclose(f);
	return x;
}

static int
tls_load_client_ca(struct tls_front *t, const struct server_config *c)
{
	t->client_ca = tls_read_cert(c->client_ca);
	if (!t->client_ca) {
		log_error("cannot read --client-ca %s", c->client_ca);
		return -1;
	}
	X509_STORE *store = SSL_CTX_get_cert_store(t->ctx);
	X509_STORE_add_cert(store, t->client_ca);
	/* X509_STORE_load_file reads with an empty passphrase of its own:
	 * an encrypted block fails, it never prompts. */
	if (c->client_ca_root &&
	    !X509_STORE_load_file(store, c->client_ca_root)) {
		log_error("cannot read --client-ca-root %s", c->client_ca_root);
		return -1;
	}
	/* Without the root, the intermediate alone is the trust anchor. */
	if (!c->client_ca_root)
		X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
	sk_X509_NAME_push(names,
	                  X509_NAME_dup(X509_get_subject_name(t->client_ca)));
	SSL_CTX_set_client_CA_list(t->ctx, names); /* advertise it alone */
	SSL_CTX_set_verify(
	    t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	X509_VERIFY_PARAM_set_purpose(SSL_CTX_get0_param(t->ctx),
	                              X509_PURPOSE_SSL_CLIENT);
	return 0;
}

struct tls_front *
tls_create(const struct server_config *c)
{
	struct tls_front *t = xcalloc(1, sizeof *t);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->idle, NULL);
	t->max_conns = c->max_connections;
	t->max_per_ip = c->max_connections_per_ip;
	t->ctx = SSL_CTX_new(TLS_server_method());
	/* An encrypted --tls-key fails to load rather than prompting. */
	if (t->ctx)
		SSL_CTX_set_default_passwd_cb(t->ctx, pem_no_passphrase);
	if (!t->ctx || !SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(t->ctx, c->tls_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(t->ctx, c->tls_key, SSL_FILETYPE_PEM) !=
	        1 ||
	    SSL_CTX_check_private_key(t->ctx) != 1) {
		tls_log_errors("loading --tls-cert/--tls-key");
		tls_free(t);
		return NULL;
	}
	if (c->client_ca && tls_load_client_ca(t, c) < 0) {
		tls_free(t);
		return NULL;
	}
	return t;
}

/* The verified chain must contain the configured client CA itself: with
 * the root loaded, another intermediate of the same root must not do. */
static int
tls_chain_has_ca(struct tls_front *t, SSL *ssl)
{
	if (!t->client_ca)
		return 1;
	STACK_OF(X509) *chain = SSL_get0_verified_chain(ssl);
	for (int i = 0; chain && i < sk_X509_num(chain); i++)
		if (X509_cmp(sk_X509_value(chain, i), t->client_ca) == 0)
			return 1;
	return 0;
}

static void
tls_set_subject(struct tls_front *t, int fd, SSL *ssl)
{
	X509 *peer = SSL_get1_peer_certificate(ssl);
	char *subject = NULL;
	if (peer) {
		subject =
		    X509_NAME_oneline(X509_get_subject_name(peer), NULL, 0);
		X509_free(peer);
	}
	pthread_mutex_lock(&t->lock);
	free(t->subjects[fd]);
	t->subjects[fd] = subject ? xstrdup(subject) : NULL;
	pthread_mutex_unlock(&t->lock);
	OPENSSL_free(subject);
}

void
tls_peer_subject(struct tls_front *t, int fd, char *out, size_t size)
{
	snprintf(out, size, "-");
	if (!t || fd < 0 || fd >= TLS_MAX_FD)
		return;
	pthread_mutex_lock(&t->lock);
	if (t->subjects[fd])
		snprintf(out, size, "%s", t->subjects[fd]);
	pthread_mutex_unlock(&t->lock);
}

/* Copies bytes both ways until either side closes. */
static void
tls_pump(SSL *ssl, int tcp, int plain)
{
	char buf[16384];
	for (;;) {
		if (SSL_pending(ssl) == 0) {
			struct pollfd p[2] = {{tcp, POLLIN, 0},
			                      {plain, POLLIN, 0}};
			if (poll(p, 2, -1) < 0 && errno != EINTR)
				return;
			if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
				ssize_t n = read(plain, buf, sizeof buf);
				if (n <= 0 || SSL_write(ssl, buf, (int)n) <= 0)
					return;
			}
			if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
		}
		int n = SSL_read(ssl, buf, sizeof buf);
		if (n <= 0) {
			if (SSL_get_error(ssl, n) == SSL_ERROR_WANT_READ)
				continue;
			return;
		}
		for (int off = 0; off < n;) {
			ssize_t w = write(plain, buf + off, (size_t)(n - off));
			if (w <= 0)
				return;
			off += (int)w;
		}
	}
}

static long
tls_ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The client certificate must be meant for client authentication: a
 * certificate without extendedKeyUsage passes OpenSSL's purpose check,
 * but only clientAuth certificates may sign in here. */
static int
tls_peer_is_client(SSL *ssl)
{
	X509 *peer = SSL_get0_peer_certificate(ssl);
	return peer && (X509_get_extension_flags(peer) & EXFLAG_XKUSAGE) &&
	       (X509_get_extended_key_usage(peer) & XKU_SSL_CLIENT);
}

/* SSL_accept on a non-blocking socket, with one deadline for the whole
 * handshake: a client trickling bytes cannot stretch it. */
static int
tls_accept_by_deadline(SSL *ssl, int fd)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int r = SSL_accept(ssl);
		if (r == 1)
			return 0;
		int e = SSL_get_error(ssl, r);
		long left = TLS_HANDSHAKE_MS - tls_ms_since(&t0);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    left <= 0)
			return left <= 0 ? 1 : -1;
		struct pollfd p = {
		    fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, 0};
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -1;
	}
}

static int
tls_handshake(struct tls_front *t, SSL *ssl, int fd)
{
	int flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	int r = tls_accept_by_deadline(ssl, fd);
	fcntl(fd, F_SETFL, flags);
	if (r != 0) {
		long v = SSL_get_verify_result(ssl);
		log_info("tls: handshake failed: %s",
		         r > 0            ? "not finished within the deadline"
		         : v != X509_V_OK ? X509_verify_cert_error_string(v)
		                          : "no acceptable client certificate "
		                            "or protocol error");
		ERR_clear_error();
		return -1;
	}
	if (!tls_chain_has_ca(t, ssl)) {
		log_info("tls: client certificate does not chain to the "
		         "--client-ca");
		return -1;
	}
	if (t->client_ca && !tls_peer_is_client(ssl)) {
		log_info("tls: client certificate lacks extendedKeyUsage "
		         "clientAuth");
		return -1;
	}
	return 0;
}

/* After a refused handshake the alert is in flight, but the client's
 * next flight may be unread here; closing now would send a reset that can
 * overtake the alert. Half-close and drain briefly instead. */
static void
tls_linger_close(int fd)
{
	char junk[4096];
	struct timeval tv = {1, 0};
	shutdown(fd, SHUT_WR);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	for (int i = 0; i < 64 && read(fd, junk, sizeof junk) > 0; i++)
		;
}

/* Gives MHD the plaintext end fd (MHD closes it in any case); 0 if it
 * was not taken. A handshake can end after http_stop stopped MHD: the
 * daemon is used only until tls_stop_accepting returns. */
static int
tls_hand_over(struct tls_front *t, int fd, const struct tls_conn *c)
{
	pthread_mutex_lock(&t->lock);
	int closing = t->closing;
	if (!closing)
		t->handing++;
	pthread_mutex_unlock(&t->lock);
	if (closing) {
		close(fd);
		return 0;
	}
	int added =
	    MHD_add_connection(t->daemon, fd, (const struct sockaddr *)&c->addr,
	                       c->addrlen) == MHD_YES;
	pthread_mutex_lock(&t->lock);
	if (--t->handing == 0)
		pthread_cond_broadcast(&t->idle);
	pthread_mutex_unlock(&t->lock);
	return added;
}

static void
tls_serve(struct tls_conn *c)
{
	struct tls_front *t = c->t;
	SSL *ssl = SSL_new(t->ctx);
	int sp[2] = {-1, -1};
	if (!ssl || !SSL_set_fd(ssl, c->fd))
		goto out;
	if (tls_handshake(t, ssl, c->fd) < 0) {
		tls_linger_close(c->fd);
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 ||
	    sp[0] >= TLS_MAX_FD)
		goto out;
	tls_set_subject(t, sp[0], ssl);
	int added = tls_hand_over(t, sp[0], c);
	sp[0] = -1; /* MHD's, or closed */
	if (!added)
		goto out;
	tls_pump(ssl, c->fd, sp[1]);
	SSL_shutdown(ssl);
out:
	SSL_free(ssl);
	if (sp[0] >= 0)
		close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
	close(c->fd);
}

/* Takes c off the list of admitted connections and frees it. */
static void
tls_forget(struct tls_front *t, struct tls_conn *c)
{
	pthread_mutex_lock(&t->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		t->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (--t->active == 0)
		pthread_cond_broadcast(&t->idle);
	pthread_mutex_unlock(&t->lock);
	free(c);
}

static void *
tls_conn_thread(void *arg)
{
	struct tls_conn *c = arg;
	struct tls_front *t = c->t;
	tls_serve(c);
	tls_forget(t, c);
	return NULL;
}

static int
tls_same_host(const struct sockaddr_storage *a,
              const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		              &((const struct sockaddr_in6 *)b)->sin6_addr,
		              sizeof(struct in6_addr)) == 0;
	return 0;
}

/* Under t->lock: whether c may have a thread, given --max-connections
 * and --max-connections-per-ip (0: no per-address limit). */
static int
tls_admit_locked(struct tls_front *t, const struct tls_conn *c)
{
	if (t->active >= t->max_conns)
		return 0;
	if (!t->max_per_ip)
		return 1;
	unsigned same = 0;
	for (const struct tls_conn *o = t->conns; o; o = o->next)
		same += tls_same_host(&o->addr, &c->addr);
	return same < t->max_per_ip;
}

/* One thread per admitted connection; a connection over a limit is
 * closed at once, as MHD does for plain HTTP. */
static void
tls_spawn(struct tls_front *t, struct tls_conn *c)
{
	pthread_mutex_lock(&t->lock);
	if (!tls_admit_locked(t, c)) {
		pthread_mutex_unlock(&t->lock);
		close(c->fd);
		free(c);
		return;
	}
	t->active++;
	c->next = t->conns;
	if (t->conns)
		t->conns->prev = c;
	t->conns = c;
	pthread_mutex_unlock(&t->lock);

	pthread_attr_t attr;
	pthread_t th;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&th, &attr, tls_conn_thread, c) != 0) {
		close(c->fd);
		tls_forget(t, c);
	}
	pthread_attr_destroy(&attr);
}

static void
tls_take(void *ctx, int fd, const struct sockaddr_storage *addr,
         socklen_t addrlen)
{
	struct tls_conn *c = xcalloc(1, sizeof *c);
	c->t = ctx;
	c->fd = fd;
	c->addr = *addr;
	c->addrlen = addrlen;
	tls_spawn(c->t, c);
}

int
tls_start(struct tls_front *t, int listen_fd, struct MHD_Daemon *d)
{
	t->daemon = d;
	t->acceptor = acceptor_start(listen_fd, tls_take, t);
	return t->acceptor ? 0 : -1;
}

void
tls_stop_accepting(struct tls_front *t)
{
	if (!t)
		return;
	acceptor_stop(t->acceptor);
	t->acceptor = NULL;
	pthread_mutex_lock(&t->lock);
	t->closing = 1;
	while (t->handing)
		pthread_cond_wait(&t->idle, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

void
tls_free(struct tls_front *t)
{
	if (!t)
		return;
	tls_stop_accepting(t);
	pthread_mutex_lock(&t->lock);
	while (t->active)
		pthread_cond_wait(&t->idle, &t->lock);
	pthread_mutex_unlock(&t->lock);
	for (int i = 0; i < TLS_MAX_FD; i++)
		free(t->subjects[i]);
	X509_free(t->client_ca);
	SSL_CTX_free(t->ctx);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->idle);
	free(t);
}
