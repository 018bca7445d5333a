#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

static int
file_write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The rename lasts once the directory that holds the name is on disk. A
 * failure here leaves the new content in place: a warning, not an error. */
static void
file_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = !slash          ? xstrdup(".")
	            : slash == path ? xstrdup("/")
	                            : xstrndup(path, (size_t)(slash - path));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		log_warn("cannot sync directory %s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(dir);
}

int
file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	struct buf tmp = BUF_INIT;
	int rc = -1;
	buf_printf(&tmp, "%s.tmp.XXXXXX", path);
	int fd = mkostemp(tmp.data, O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot create %s: %s", tmp.data, strerror(errno));
		buf_free(&tmp);
		return -1;
	}
	if (file_write_all(fd, data, len) < 0 || fchmod(fd, mode) < 0 ||
	    fsync(fd) < 0) {
		log_error("cannot write %s: %s", tmp.data, strerror(errno));
		goto out;
	}
	int closed = close(fd);
	fd = -1;
	if (closed < 0) {
		log_error("cannot write %s: %s", tmp.data, strerror(errno));
		goto out;
	}
	if (rename(tmp.data, path) < 0) {
		log_error("cannot rename %s to %s: %s", tmp.data, path,
		          strerror(errno));
		goto out;
	}
	file_sync_dir(path);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp.data);
	buf_free(&tmp);
	return rc;
}
