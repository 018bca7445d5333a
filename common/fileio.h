/* Files written whole: a reader, or the next start after a crash, finds
 * the old content or the new, never part of either. */
#ifndef EULB_FILEIO_H
#define EULB_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Writes len bytes to path through a temporary file beside it: written,
 * given mode (exactly, whatever the umask), fsync'd, renamed over path,
 * then the directory fsync'd. 0, or -1 (logged) with path as it was. */
int file_write_atomic(const char *path, const void *data, size_t len,
                      mode_t mode);

#endif
