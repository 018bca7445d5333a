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
	char line[2048];
	int off = 0;
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	off = snprintf(
	    line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000000, names[level]);
	if (func && off < (int)sizeof line)
		off += snprintf(line + off, sizeof line - (size_t)off,
		                "%s: ", func);
	va_list ap;
	va_start(ap, fmt);
	if (off < (int)sizeof line)
		vsnprintf(line + off, sizeof line - (size_t)off, fmt, ap);
	va_end(ap);
	/* One write per line keeps lines whole across threads; stderr is
	 * unbuffered, so this orders with its other writers, and skips a
	 * second formatting pass (eulbd logs every request). */
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
