#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static enum log_level log_threshold = LOG_LEVEL_INFO;

void
log_set_level(enum log_level level)
{
	log_threshold = level;
}

/*
 * Access lines wait in `pending` for the flusher thread, which writes
 * what gathered in LOG_BATCH_MS at once: a busy eulbd makes a write per
 * batch, not one per request (a tenth of a small read's time). Other
 * lines are written at once, after what is pending, so the order holds.
 * `write_lock` is held across each write so that batches cannot pass
 * each other; `lock` guards only the buffer, so requests never wait for
 * the disk unless the buffer is full.
 */
#define LOG_BUFFER (64 * 1024)
#define LOG_BATCH_MS 10

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t log_write_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t log_wake = PTHREAD_COND_INITIALIZER;
static char log_bufs[2][LOG_BUFFER];
static char *log_pending = log_bufs[0];
static size_t log_pending_len;
static int log_flusher_running;

/* What snprintf's result n adds to a line with room bytes left: all of
 * it, or what it could write when cut (nothing on error). */
static size_t
log_written(int n, size_t room)
{
	return n < 0 ? 0 : (size_t)n < room ? (size_t)n : room - 1;
}

/* Control characters in line[from, len) as \xHH, within size: a request
 * path (or any other text a client chose) must not end a log line early
 * or send escape sequences to the terminal that tails it. Returns the new
 * length. */
static size_t
log_escape_controls(char *line, size_t from, size_t len, size_t size)
{
	size_t i = from;
	while (i < len && (unsigned char)line[i] >= 0x20 && line[i] != 0x7f)
		i++;
	if (i == len)
		return len; /* the usual case: nothing to do */
	char tail[2048];
	size_t n = len - i < sizeof tail ? len - i : sizeof tail;
	memcpy(tail, line + i, n);
	for (size_t j = 0; j < n; j++) {
		unsigned char c = (unsigned char)tail[j];
		if (c >= 0x20 && c != 0x7f) {
			if (i + 1 > size)
				break;
			line[i++] = (char)c;
		} else {
			if (i + 4 > size)
				break;
			snprintf(line + i, 5, "\\x%02x", c);
			i += 4;
		}
	}
	return i;
}

/* One line with its timestamp and level, newline included; returns its
 * length (cut to fit size). */
static size_t
log_format(char *line, size_t size, enum log_level level, const char *func,
           const char *fmt, va_list ap)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	/* The date and time to the second, per thread, made again only
	 * when the second changes: eulbd logs every request. */
	static __thread time_t stamp_sec = -1;
	static __thread char stamp[64];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != stamp_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d",
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		         tm.tm_hour, tm.tm_min, tm.tm_sec);
		stamp_sec = ts.tv_sec;
	}
	size_t room = size - 1; /* for the newline */
	int n = snprintf(line, room, "%s.%03ldZ %s ", stamp,
	                 ts.tv_nsec / 1000000, names[level]);
	size_t off = log_written(n, room);
	if (func)
		off += log_written(
		    snprintf(line + off, room - off, "%s: ", func), room - off);
	size_t text = off;
	off +=
	    log_written(vsnprintf(line + off, room - off, fmt, ap), room - off);
	off = log_escape_controls(line, text, off, room);
	line[off++] = '\n';
	return off;
}

static void
log_write(const char *a, size_t alen, const char *b, size_t blen)
{
	struct iovec iov[2] = {{(void *)a, alen}, {(void *)b, blen}};
	if (writev(STDERR_FILENO, iov, 2) < 0)
		return; /* nowhere left to say so */
}

/* Writes what is pending, then line (may be empty). */
static void
log_write_after_pending(const char *line, size_t len)
{
	pthread_mutex_lock(&log_write_lock);
	pthread_mutex_lock(&log_lock);
	char *out = log_pending;
	size_t out_len = log_pending_len;
	log_pending = out == log_bufs[0] ? log_bufs[1] : log_bufs[0];
	log_pending_len = 0;
	pthread_mutex_unlock(&log_lock);
	log_write(out, out_len, line, len);
	pthread_mutex_unlock(&log_write_lock);
}

static void *
log_flusher(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&log_lock);
		while (log_pending_len == 0)
			pthread_cond_wait(&log_wake, &log_lock);
		pthread_mutex_unlock(&log_lock);
		struct timespec gather = {0, LOG_BATCH_MS * 1000000L};
		nanosleep(&gather, NULL);
		log_flush();
	}
	return NULL;
}

void
log_buffer_access(void)
{
	pthread_t t;
	if (log_flusher_running)
		return;
	if (pthread_create(&t, NULL, log_flusher, NULL) != 0)
		return; /* lines are then written one by one */
	pthread_detach(t);
	log_flusher_running = 1;
	atexit(log_flush);
}

void
log_flush(void)
{
	log_write_after_pending("", 0);
}

void
log_msg(enum log_level level, const char *func, const char *fmt, ...)
{
	if (level < log_threshold)
		return;
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	size_t len = log_format(line, sizeof line, level, func, fmt, ap);
	va_end(ap);
	log_write_after_pending(line, len);
}

void
log_access(const char *fmt, ...)
{
	if (LOG_LEVEL_INFO < log_threshold)
		return;
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	size_t len =
	    log_format(line, sizeof line, LOG_LEVEL_INFO, NULL, fmt, ap);
	va_end(ap);
	if (log_flusher_running) {
		pthread_mutex_lock(&log_lock);
		int fits = log_pending_len + len <= LOG_BUFFER;
		if (fits) {
			if (log_pending_len == 0)
				pthread_cond_signal(&log_wake);
			memcpy(log_pending + log_pending_len, line, len);
			log_pending_len += len;
		}
		pthread_mutex_unlock(&log_lock);
		if (fits)
			return;
	}
	/* No flusher, or the disk is behind: written now, as other lines. */
	log_write_after_pending(line, len);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	log_flush();
	va_start(ap, fmt);
	fputs("eulbd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}
