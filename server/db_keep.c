/*
 * A read transaction kept open from one read request to the next.
 *
 * Each SQLite read transaction in WAL mode takes one of the WAL's read
 * locks and drops it at the end: a mutex and, unless another connection
 * of this process holds the same lock, an fcntl() with that mutex held.
 * On a small read that is about a tenth of the server's time, and with
 * two worker threads the mutex is often contended. A thread therefore
 * leaves its read transaction open when a read request ends, and the next
 * request on that thread goes on in it if nothing was committed since.
 *
 * "Nothing was committed since" is read from the WAL-index header, the
 * first 48 bytes of the -shm file (sqlite.org/walformat.html, "The
 * WAL-Index Header"): every commit, in this process or another, rewrites
 * it (iChange counts transactions; a WAL reset changes the salts). A copy
 * is taken before the transaction's snapshot, so a commit that lands in
 * between reads as a change, never the other way round; until the header
 * is mapped the copy is zeros, which no header equals (iVersion is
 * 3007000).
 *
 * A kept transaction pins its snapshot: a checkpoint cannot copy back
 * frames past it, nor can the WAL start over. db.c ends stale kept
 * transactions after each commit of the writer and once a second.
 */
#include "db_internal.h"

#include <string.h>

/* SQLite's WALINDEX_PGSZ: the size it maps the -shm file in. */
#define DB_KEEP_SHM_REGION 32768

int
db_keep_map(struct db_keep *k, sqlite3 *conn)
{
	sqlite3_file *f = NULL;
	void volatile *p = NULL;
	if (k->hdr || k->unmappable)
		return k->hdr ? 0 : -1;
	/* Region 0 is mapped by the connection's first read in WAL mode and
	 * stays mapped until the connection closes; this only looks it up. */
	if (sqlite3_file_control(conn, "main", SQLITE_FCNTL_FILE_POINTER, &f) !=
	        SQLITE_OK ||
	    !f || !f->pMethods || f->pMethods->iVersion < 2 ||
	    !f->pMethods->xShmMap ||
	    f->pMethods->xShmMap(f, 0, DB_KEEP_SHM_REGION, 0, &p) !=
	        SQLITE_OK ||
	    !p) {
		k->unmappable = 1;
		return -1;
	}
	k->hdr = p;
	return 0;
}

void
db_keep_note(struct db_keep *k)
{
	if (!k->hdr)
		return;
	memcpy(k->seen, (const void *)k->hdr, sizeof k->seen);
	/* SQLite's own reads of the header (its snapshot) come after. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

int
db_keep_current(const struct db_keep *k)
{
	unsigned char now[DB_KEEP_HDR];
	if (!k->hdr)
		return 0;
	memcpy(now, (const void *)k->hdr, sizeof now);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return memcmp(now, k->seen, sizeof now) == 0;
}
