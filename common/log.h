/* Logging to stderr with a timestamp; one line per call. */
#ifndef EULB_LOG_H
#define EULB_LOG_H

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR
};

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An access line: INFO, written by a flusher thread once
 * log_buffer_access has started it (at most ~10 ms late), else at once. */
void log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Starts the flusher; flushes again at exit. */
void log_buffer_access(void);
/* Writes the access lines waiting. */
void log_flush(void);

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, NULL, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __func__, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __func__, __VA_ARGS__)

/* Start-up failures and broken invariants only. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
