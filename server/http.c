#include "http.h"

#include <microhttpd.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dispatch.h"
#include "lb_stored.h"
#include "log.h"
#include "request.h"
#include "tls.h"
#include "writer.h"

/* Per connection: a request MHD may drop before the handler runs (freed
 * when the connection closes), and when its current request began, for
 * the request deadline. */
struct http_conn {
	struct http_conn *prev, *next;
	int fd;
	int timed; /* a request is arriving: head or body still unread */
	struct timespec request_started;
	struct request *pending;
};

#define HTTP_MAX_HEADER_BYTES ((size_t)64 * 1024)
/* A query string as large as the header block: a GET of 2,000
 * parameters (the dispatcher's limit) fits well within it. */
#define HTTP_MAX_QUERY_BYTES ((size_t)64 * 1024)
#define HTTP_POOL_BYTES (HTTP_MAX_HEADER_BYTES + HTTP_MAX_QUERY_BYTES + 16384)
/* Answers up to this size are never held back (see http_hold): every
 * error and almost every write answer is far smaller. */
#define HTTP_HOLD_FREE ((size_t)64 * 1024)

struct http_server {
	struct MHD_Daemon *daemon;
	int fd;
	const struct server_config *config;
	struct tls_front *tls; /* NULL for plain HTTP */
	pthread_mutex_t lock;  /* guards conns */
	struct http_conn *conns;
	pthread_t reaper;
	int reaper_fd[2];      /* a byte stops the reaper */
	struct writer *writer; /* runs every write: group commit */
	int writes_in_flight;  /* queued, not yet completed (guarded by lock) */
	size_t answers_held;   /* bytes of queued answers (guarded by lock) */
};

/*
 * Request ids need to be unique, not secret: a per-thread xoshiro256**
 * seeded once from the CSPRNG gives them without RAND_bytes' locks and
 * DRBG (5% of a small read's time).
 */
static __thread uint64_t http_id_state[4];

static uint64_t
http_id_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
http_id_next(void)
{
	uint64_t *s = http_id_state;
	if (!(s[0] | s[1] | s[2] | s[3]) &&
	    (RAND_bytes((unsigned char *)s, sizeof http_id_state) != 1 ||
	     !(s[0] | s[1] | s[2] | s[3]))) {
		/* never all zero; distinct per thread */
		s[0] = (uint64_t)time(NULL) | 1;
		s[1] = (uint64_t)(uintptr_t)s;
	}
	uint64_t r = http_id_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = http_id_rotl(s[3], 45);
	return r;
}

static void
http_request_id(char out[37])
{
	unsigned char r[16];
	uint64_t a = http_id_next(), b = http_id_next();
	memcpy(r, &a, 8);
	memcpy(r + 8, &b, 8);
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	static const char hex[] = "0123456789abcdef";
	char *p = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[r[i] >> 4];
		*p++ = hex[r[i] & 15];
	}
	*p = '\0';
}

static struct http_conn *
http_conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* Starts (on) or stops the deadline of the request arriving on conn. */
static void
http_conn_deadline(struct http_server *s, struct MHD_Connection *conn, int on)
{
	struct http_conn *hc = http_conn_of(conn);
	if (!hc)
		return;
	pthread_mutex_lock(&s->lock);
	hc->timed = on;
	if (on)
		clock_gettime(CLOCK_MONOTONIC, &hc->request_started);
	pthread_mutex_unlock(&s->lock);
}

/* The request to free if MHD drops the connection before the handler
 * runs; NULL once MHD owns it (it then calls http_completed). */
static void
http_conn_pending(struct http_server *s, struct MHD_Connection *conn,
                  struct request *rq)
{
	struct http_conn *hc = http_conn_of(conn);
	if (!hc)
		return;
	pthread_mutex_lock(&s->lock);
	hc->pending = rq;
	pthread_mutex_unlock(&s->lock);
}

/* Called with the raw request target before MHD decodes it: SigV4 signs
 * the path and query exactly as sent, so keep them. */
static void *
http_uri_log(void *cls, const char *uri_const, struct MHD_Connection *conn)
{
	char *uri = (char *)uri_const;
	struct http_server *s = cls;
	struct request *rq = xcalloc(1, sizeof *rq);
	clock_gettime(CLOCK_MONOTONIC, &rq->started);
	rq->config = s->config;
	char *q = strchr(uri, '?');
	rq->raw_path = q ? xstrndup(uri, (size_t)(q - uri)) : xstrdup(uri);
	rq->raw_query = q ? xstrdup(q + 1) : NULL;
	/* eulbd parses the query itself (form_parse). Left in place, MHD
	 * would next split it into its own list inside the connection's
	 * memory pool, and a query of thousands of parameters exhausts the
	 * pool and stalls the connection (libmicrohttpd 0.9.75). The URI
	 * lives in MHD's writable read buffer: ending it at '?' leaves MHD
	 * nothing to parse. */
	if (q)
		q[1] = '\0';
	http_request_id(rq->request_id);
	http_conn_deadline(s, conn, 1);
	http_conn_pending(s, conn, rq);
	return rq;
}

static void
http_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
               enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct request *rq = *req_cls;
	/* The next request on a kept-alive connection gets a new deadline. */
	http_conn_deadline(s, conn, 1);
	http_conn_pending(s, conn, NULL);
	if (rq && (rq->queued || rq->held)) {
		pthread_mutex_lock(&s->lock);
		s->writes_in_flight -= rq->queued;
		s->answers_held -= rq->held;
		pthread_mutex_unlock(&s->lock);
	}
	if (rq)
		request_free(rq);
	*req_cls = NULL;
}

static void
http_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;
	struct http_conn *hc = *socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		    conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		hc = xcalloc(1, sizeof *hc);
		hc->fd = ci ? ci->connect_fd : -1;
		hc->timed = 1;
		clock_gettime(CLOCK_MONOTONIC, &hc->request_started);
		pthread_mutex_lock(&s->lock);
		hc->next = s->conns;
		if (s->conns)
			s->conns->prev = hc;
		s->conns = hc;
		pthread_mutex_unlock(&s->lock);
		*socket_context = hc;
		return;
	}
	if (!hc)
		return;
	pthread_mutex_lock(&s->lock);
	if (hc->prev)
		hc->prev->next = hc->next;
	else
		s->conns = hc->next;
	if (hc->next)
		hc->next->prev = hc->prev;
	pthread_mutex_unlock(&s->lock);
	/* MHD dropped a request before the handler ran: no completion. */
	if (hc->pending)
		request_free(hc->pending);
	free(hc);
	*socket_context = NULL;
}

/* The idle timeout restarts with every byte, so a client trickling a
 * request head or body could hold its slot forever: a request must arrive
 * whole, body included, within one connection timeout. */
static void *
http_reaper(void *arg)
{
	struct http_server *s = arg;
	long limit_ms = (long)s->config->connection_timeout * 1000;
	for (;;) {
		struct pollfd p = {s->reaper_fd[0], POLLIN, 0};
		if (poll(&p, 1, 250) != 0)
			break;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		pthread_mutex_lock(&s->lock);
		for (struct http_conn *hc = s->conns; hc; hc = hc->next) {
			long ms =
			    (now.tv_sec - hc->request_started.tv_sec) * 1000 +
			    (now.tv_nsec - hc->request_started.tv_nsec) /
			        1000000;
			if (hc->timed && hc->fd >= 0 && ms > limit_ms) {
				shutdown(hc->fd, SHUT_RDWR);
				hc->timed = 0;
			}
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

static enum MHD_Result
http_collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                    const char *value)
{
	struct request *rq = cls;
	/* Sixteen at a time: a request brings a handful. */
	if (rq->nheaders % 16 == 0)
		rq->headers = xrealloc(rq->headers, (rq->nheaders + 16) *
		                                        sizeof *rq->headers);
	rq->headers[rq->nheaders].name = key;
	rq->headers[rq->nheaders].value = value ? value : "";
	rq->nheaders++;
	return MHD_YES;
}

/* Microseconds as milliseconds with three decimals ("12.345"), without
 * printf's floating point: every answer carries one. */
static void
http_millis(char out[32], long long us)
{
	char digits[32], *p = digits + sizeof digits;
	unsigned long long v = us < 0 ? 0 : (unsigned long long)us;
	*--p = '\0';
	for (int i = 0; i < 3; i++, v /= 10)
		*--p = (char)('0' + v % 10);
	*--p = '.';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	memcpy(out, p, (size_t)(digits + sizeof digits - p));
}

static void
http_log_request(const struct request *rq, const char *ms)
{
	const struct err_info *e = rq->status >= 300 ? err_info(rq->err) : NULL;
	log_access("%s %s %s account=%s status=%d%s%s %sms%s%s", rq->method,
	           rq->raw_path, rq->action ? rq->action->name : "-",
	           rq->account_id[0] ? rq->account_id : "-", rq->status,
	           e ? " " : "", e ? e->code : "", ms,
	           rq->client_subject[0] ? " client=" : "", rq->client_subject);
}

static enum MHD_Result
http_send(struct MHD_Connection *conn, struct request *rq)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    rq->response_len, rq->response_body, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		return MHD_NO;
	rq->response_body = NULL; /* MHD owns it now */
	/* The server's own time, request line read to answer rendered, for
	 * clients and scripts/bench (W3C Server-Timing), as the log line;
	 * only to authenticated callers, so that it times no refusal. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	char ms[32], timing[48] = "app;dur=";
	http_millis(ms, (now.tv_sec - rq->started.tv_sec) * 1000000LL +
	                    (now.tv_nsec - rq->started.tv_nsec) / 1000);
	strcat(timing, ms);
	if (rq->account_id[0])
		MHD_add_response_header(resp, "Server-Timing", timing);
	MHD_add_response_header(resp, "Content-Type", rq->content_type);
	MHD_add_response_header(resp, "x-amzn-RequestId", rq->request_id);
	if (rq->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION,
		                        "close");
	enum MHD_Result r =
	    MHD_queue_response(conn, (unsigned)rq->status, resp);
	MHD_destroy_response(resp);
	http_log_request(rq, ms);
	return r;
}

/* An answer stays in memory until the client has read it, so clients
 * that ask and never read could make eulbd hold --max-connections
 * answers of --max-response-bytes (4 GB by default). Large answers
 * therefore count against --max-response-memory from when they are
 * queued until MHD is done with them; past it, a read answers 503
 * ServiceUnavailable, which AWS SDKs retry. A write's answer is never
 * refused: its change is committed, and its answer is small. */
static void
http_hold(struct http_server *s, struct request *rq)
{
	if (rq->queued || rq->response_len <= HTTP_HOLD_FREE)
		return;
	pthread_mutex_lock(&s->lock);
	/* answers_held never passes the budget: nothing is added past it */
	if (rq->response_len <=
	    s->config->max_response_memory - s->answers_held) {
		s->answers_held += rq->response_len;
		rq->held = rq->response_len;
	}
	pthread_mutex_unlock(&s->lock);
	if (rq->held)
		return;
	free(rq->response_body);
	rq->response_body = NULL;
	resp_error(rq, ERR_SERVICE_UNAVAILABLE,
	           "The server holds too many unread answers "
	           "(--max-response-memory); retry the request");
	resp_render(rq);
}

static enum MHD_Result
http_healthz(struct MHD_Connection *conn)
{
	static const char ok[] = "ok\n";
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    sizeof ok - 1, (void *)ok, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, "Content-Type", "text/plain");
	enum MHD_Result r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return r;
}

static int
http_wants_json(struct MHD_Connection *conn)
{
	const char *accept =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");
	return accept && strstr(accept, "application/json") != NULL;
}

static enum MHD_Result
http_add_size(void *cls, enum MHD_ValueKind kind, const char *key,
              const char *value)
{
	*(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/* Answers now and closes: what follows on this connection is not read. */
static enum MHD_Result
http_refuse(struct MHD_Connection *conn, struct request *rq, enum err_id err,
            const char *msg)
{
	rq->want_json = http_wants_json(conn);
	resp_error(rq, err, "%s", msg);
	resp_render(rq);
	rq->close = 1;
	return http_send(conn, rq);
}

static enum MHD_Result
http_refuse_size(struct MHD_Connection *conn, struct request *rq,
                 enum err_id err, const char *what, size_t limit)
{
	char msg[128];
	snprintf(msg, sizeof msg, "The request %s is larger than %zu bytes",
	         what, limit);
	return http_refuse(conn, rq, err, msg);
}

/* How a body is framed: Content-Length headers seen, whether they all
 * agree, and the Transfer-Encoding headers, and whether each is exactly
 * chunked (the one coding MHD decodes). */
struct http_framing {
	int lengths, differ, codings, other_coding;
	const char *first;
};

static enum MHD_Result
http_add_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                 const char *value)
{
	struct http_framing *f = cls;
	if (strcasecmp(key, "Transfer-Encoding") == 0) {
		f->codings++;
		f->other_coding |= !value || strcasecmp(value, "chunked") != 0;
	}
	if (strcasecmp(key, "Content-Length") != 0)
		return MHD_YES;
	if (f->lengths++ && strcmp(f->first, value ? value : "") != 0)
		f->differ = 1;
	else if (f->lengths == 1)
		f->first = value ? value : "";
	return MHD_YES;
}

/* A body two parts of a proxy chain could frame differently is how
 * requests get smuggled (RFC 9112, section 6.3): refuse it. */
static const char *
http_framing_error(struct MHD_Connection *conn)
{
	struct http_framing f = {0};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, http_add_framing, &f);
	if (f.differ)
		return "The request has Content-Length headers that disagree";
	if (f.lengths && f.codings)
		return "The request has both Content-Length and "
		       "Transfer-Encoding";
	/* MHD decodes chunked alone and would wait for the end of any
	 * other body until the connection timed out, with no answer. */
	if (f.codings > 1 || f.other_coding)
		return "The request's Transfer-Encoding is not supported; send "
		       "Content-Length, or Transfer-Encoding: chunked alone";
	return NULL;
}

/* The first call of a request: decide early what needs no body. The
 * header block gets its own limit, below MHD's memory pool. */
static enum MHD_Result
http_begin(struct MHD_Connection *conn, struct request *rq)
{
	size_t header_bytes = 0;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, http_add_size,
	                          &header_bytes);
	if (header_bytes > HTTP_MAX_HEADER_BYTES)
		return http_refuse_size(conn, rq, ERR_HEADERS_TOO_LARGE,
		                        "header section",
		                        HTTP_MAX_HEADER_BYTES);
	if (rq->raw_query && strlen(rq->raw_query) > HTTP_MAX_QUERY_BYTES)
		return http_refuse_size(conn, rq, ERR_URI_TOO_LONG,
		                        "query string", HTTP_MAX_QUERY_BYTES);
	const char *framing = http_framing_error(conn);
	if (framing)
		return http_refuse(conn, rq, ERR_BAD_REQUEST, framing);
	const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                              "Content-Length");
	/* Answered before reading, so an oversized upload is not
	 * swallowed. */
	if (len && strtoull(len, NULL, 10) > rq->config->max_body)
		return http_refuse_size(conn, rq, ERR_TOO_LARGE, "body",
		                        rq->config->max_body);
	return MHD_YES;
}

static void
http_note_subject(struct http_server *s, struct MHD_Connection *conn,
                  struct request *rq)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (s->tls && ci)
		tls_peer_subject(s->tls, ci->connect_fd, rq->client_subject,
		                 sizeof rq->client_subject);
}

/* Group commit: a write's connection waits, suspended, while the writer
 * thread runs it with others in one transaction; resumed, MHD calls
 * http_access again, which sends the answer. */
static void
http_park(void *conn)
{
	MHD_suspend_connection(conn);
}

static void
http_write_done(struct request *rq, void *conn)
{
	rq->ran = 1;
	MHD_resume_connection(conn);
}

static int
http_queue_write(struct http_server *s, struct MHD_Connection *conn,
                 struct request *rq)
{
	if (!s->writer)
		return -1;
	pthread_mutex_lock(&s->lock);
	s->writes_in_flight++;
	pthread_mutex_unlock(&s->lock);
	rq->queued = 1;
	if (writer_submit(s->writer, rq, conn, http_park) == 0)
		return 0;
	rq->queued = 0;
	pthread_mutex_lock(&s->lock);
	s->writes_in_flight--;
	pthread_mutex_unlock(&s->lock);
	return -1;
}

static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url,
            const char *method, const char *version, const char *upload_data,
            size_t *upload_data_size, void **req_cls)
{
	struct http_server *s = cls;
	struct request *rq = *req_cls;
	if (rq->ran) { /* back from the writer */
		resp_render(rq);
		return http_send(conn, rq);
	}
	if (!rq->method) {
		rq->method = method;
		/* The head is in; MHD now owns the request until completion. */
		http_conn_pending(cls, conn, NULL);
		http_note_subject(cls, conn, rq);
		return http_begin(conn, rq);
	}
	if (*upload_data_size) {
		if (rq->body.len + *upload_data_size > rq->config->max_body)
			rq->body_too_large = 1;
		else
			buf_append(&rq->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* The request is in: what remains is ours, not the client's. */
	http_conn_deadline(cls, conn, 0);
	/* Answered on the final call, not the first: a response queued
	 * before MHD has looked for a body makes it close the connection. */
	/* HEAD too: health checkers (HAProxy's "option httpchk HEAD") ask
	 * with it; MHD sends the headers alone. */
	if (strcmp(rq->raw_path, "/healthz") == 0 &&
	    (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0))
		return http_healthz(conn);
	MHD_get_connection_values(conn, MHD_HEADER_KIND, http_collect_header,
	                          rq);
	rq->want_json = http_wants_json(conn);
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		resp_error(rq, ERR_INVALID_ACTION,
		           "The HTTP method %s is not supported; use POST "
		           "with a form body or GET with a query string",
		           method);
	else if (dispatch_prepare(rq) == 0) {
		if (dispatch_is_write(rq) && http_queue_write(s, conn, rq) == 0)
			return MHD_YES;
		dispatch_run(rq);
	}
	resp_render(rq);
	http_hold(s, rq);
	return http_send(conn, rq);
}

static int
http_bind(const char *addr, const char *scheme, char *url, size_t url_size)
{
	char host[256];
	const char *colon = strrchr(addr, ':');
	if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof host) {
		log_error("--listen wants HOST:PORT, not '%s'", addr);
		return -1;
	}
	snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
	char *h = host;
	if (h[0] == '[' && h[strlen(h) - 1] == ']') {
		h[strlen(h) - 1] = '\0';
		h++;
	}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo(h, colon + 1, &hints, &ai);
	if (rc != 0) {
		log_error("cannot resolve %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, 1024) < 0) {
		log_error("cannot listen on %s: %m", addr);
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char hbuf[NI_MAXHOST], pbuf[NI_MAXSERV];
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	getnameinfo((struct sockaddr *)&ss, sl, hbuf, sizeof hbuf, pbuf,
	            sizeof pbuf, NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(url, url_size,
	         ai->ai_family == AF_INET6 ? "%s://[%s]:%s/" : "%s://%s:%s/",
	         scheme, hbuf, pbuf);
	freeaddrinfo(ai);
	return fd;
}

/* MHD's own messages, minus the socket-option complaints it makes for
 * the Unix socket pairs that carry decrypted TLS traffic. */
static void http_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	static const char *const noise[] = {"TCP_NODELAY", "TCP_CORK",
	                                    "Failed to push the data"};
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	for (size_t i = 0; i < sizeof noise / sizeof noise[0]; i++)
		if (strstr(msg, noise[i]))
			return;
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("libmicrohttpd: %s", msg);
}

/* No more connections than descriptors can ever be open. */
static unsigned
http_fd_limit(void)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_NOFILE, &r) < 0 || r.rlim_cur == RLIM_INFINITY ||
	    r.rlim_cur > 1000000)
		return 1000000;
	return (unsigned)r.rlim_cur;
}

static struct MHD_Daemon *
http_daemon(struct http_server *s)
{
	const struct server_config *c = s->config;
	/* epoll with a small thread pool: the measured best on 2 cores, and
	 * free of the single-thread epoll stalls at 128/256 connections.
	 * With TLS, connections arrive through MHD_add_connection. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	                 MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                 MHD_ALLOW_SUSPEND_RESUME;
	if (s->tls)
		flags |= MHD_USE_NO_LISTEN_SOCKET;
	struct MHD_OptionItem opts[] = {
	    /* first, or MHD logs earlier options' messages itself */
	    {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)http_mhd_log, NULL},
	    {MHD_OPTION_THREAD_POOL_SIZE, c->threads, NULL},
	    {MHD_OPTION_CONNECTION_TIMEOUT, c->connection_timeout, NULL},
	    /* With TLS the front admits connections (--max-connections);
	     * MHD's own limit must then never be reached: libmicrohttpd
	     * 0.9.75 locks a worker up when a connection handed to it with
	     * MHD_add_connection meets that limit (its cleanup mutex taken
	     * twice: seen with gdb), and MHD splits the limit evenly over
	     * workers that handed-over connections need not fill evenly. */
	    {MHD_OPTION_CONNECTION_LIMIT,
	     s->tls ? http_fd_limit() * c->threads : c->max_connections, NULL},
	    {MHD_OPTION_PER_IP_CONNECTION_LIMIT, c->max_connections_per_ip,
	     NULL},
	    /* MHD clears the pool for every request: sized to what a
	     * request may bring (the header block and the query string, each
	     * capped at 64 KiB; MHD no longer splits the query, see
	     * http_uri_log), not more. Past it MHD answers 414/431 itself. */
	    {MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_POOL_BYTES, NULL},
	    {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)http_connection, s},
	    {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)http_uri_log, s},
	    {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)http_completed, s},
	    /* last, so TLS mode can end the list before it */
	    {MHD_OPTION_LISTEN_SOCKET, s->fd, NULL},
	    {MHD_OPTION_END, 0, NULL},
	};
	if (s->tls)
		opts[sizeof opts / sizeof opts[0] - 2].option = MHD_OPTION_END;
	return MHD_start_daemon(flags, 0, NULL, NULL, http_access, s,
	                        MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
}

struct http_server *
http_start(const struct server_config *c, char *url, size_t url_size)
{
	struct http_server *s = xcalloc(1, sizeof *s);
	s->config = c;
	pthread_mutex_init(&s->lock, NULL);
	s->reaper_fd[0] = s->reaper_fd[1] = -1;
	if (c->tls_cert && !(s->tls = tls_create(c))) {
		free(s);
		return NULL;
	}
	s->fd = http_bind(c->listen, s->tls ? "https" : "http", url, url_size);
	/* Before the daemon, which may hand it a write at once. */
	if (s->fd >= 0)
		s->writer = writer_start(http_write_done);
	if (s->writer)
		lb_stored_start(c, writer_poke, s->writer);
	if (s->writer)
		s->daemon = http_daemon(s);
	if (s->daemon && s->tls && tls_start(s->tls, s->fd, s->daemon) < 0) {
		MHD_stop_daemon(s->daemon);
		s->daemon = NULL;
	}
	if (s->daemon && (pipe2(s->reaper_fd, O_CLOEXEC) < 0 ||
	                  pthread_create(&s->reaper, NULL, http_reaper, s))) {
		/* Nothing may be handed to a stopped MHD. */
		tls_stop_accepting(s->tls);
		MHD_stop_daemon(s->daemon);
		s->daemon = NULL;
	}
	if (!s->daemon) {
		log_error("cannot start the HTTP daemon");
		if (s->fd >= 0)
			close(s->fd);
		writer_stop(s->writer);
		lb_stored_start(c, NULL, NULL);
		writer_free(s->writer);
		tls_free(s->tls);
		free(s);
		return NULL;
	}
	return s;
}

void
http_stop(struct http_server *s)
{
	if (!s)
		return;
	if (write(s->reaper_fd[1], "x", 1) == 1)
		pthread_join(s->reaper, NULL);
	/* No MHD_quiesce_daemon: with suspend/resume and an epoll thread
	 * pool, libmicrohttpd 0.9.75 can then abort in MHD_stop_daemon
	 * ("Failed to remove listen FD from epoll set"). A connection that
	 * arrives meanwhile is closed by MHD_stop_daemon. */
	if (s->tls)
		tls_stop_accepting(s->tls);
	/* Writes in flight are run and answered before MHD closes their
	 * connections (within a bound, for clients that stop reading). */
	writer_stop(s->writer);
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&s->lock);
		int left = s->writes_in_flight;
		pthread_mutex_unlock(&s->lock);
		if (!left)
			break;
		poll(NULL, 0, 10);
	}
	MHD_stop_daemon(s->daemon);
	lb_stored_start(s->config, NULL, NULL);
	writer_free(s->writer);
	tls_free(s->tls);
	close(s->fd);
	close(s->reaper_fd[0]);
	close(s->reaper_fd[1]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
