#include "log.h"

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

void
log_msg(enum log_level level, const char *func, const char *fmt, ...)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	if (level < log_threshold)
		return;
	/* The date and time to the second, per thread, made again only
	 * when the second changes: eulbd logs every request. */
	static __thread time_t stamp_sec = -1;
	static __thread char stamp[64];
	char line[2048];
	int off = 0;
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
	off = snprintf(line, sizeof line, "%s.%03ldZ %s ", stamp,
	               ts.tv_nsec / 1000000, names[level]);
	if (func && off < (int)sizeof line)
		off += snprintf(line + off, sizeof line - (size_t)off,
		                "%s: ", func);
	va_list ap;
	va_start(ap, fmt);
	if (off < (int)sizeof line)
		vsnprintf(line + off, sizeof line - (size_t)off, fmt, ap);
	va_end(ap);
	/* One write per line keeps lines whole across threads and skips a
	 * second formatting pass; stderr's other writers end their lines,
	 * which flushes them (it is unbuffered or line-buffered). */
	struct iovec iov[2] = {{line, strlen(line)}, {"\n", 1}};
	if (writev(STDERR_FILENO, iov, 2) < 0)
		return; /* nowhere left to say so */
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("eulbd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}
