/* For the store modules only: the statement table and binding helpers. */
#ifndef EULB_DB_INTERNAL_H
#define EULB_DB_INTERNAL_H

#include <sqlite3.h>
#include <stdint.h>

#include "db.h"

enum stmt_id {
#define X(id, sql) id,
#include "statements.def"
#undef X
	STMT_COUNT
};

/* The prepared statement, reset and with bindings cleared. */
sqlite3_stmt *db_stmt(struct db *db, enum stmt_id id);
/* Bind by ":name"; a NULL text binds SQL NULL. */
void db_bind_text(sqlite3_stmt *st, const char *name, const char *value);
void db_bind_int(sqlite3_stmt *st, const char *name, int64_t value);
/* sqlite3_step with logging: SQLITE_ROW, SQLITE_DONE, or -1 on error. */
int db_step(struct db *db, sqlite3_stmt *st);
/* Steps a statement that returns no rows. 0, or -1 (logged). */
int db_exec_stmt(struct db *db, sqlite3_stmt *st);
/* Text column as a malloc'd string, NULL for SQL NULL. */
char *db_col_dup(sqlite3_stmt *st, int col);
int db_last_error_is_constraint(struct db *db);
int64_t db_last_insert_id(struct db *db);
int db_changes(struct db *db);

/* Runs a one-row, one-column count or sum into *out: STORE_OK or
 * STORE_ERROR. */
int db_scalar(struct db *db, sqlite3_stmt *st, long *out);
/* Calls fn with the first two text columns of every row until it returns
 * non-zero: STORE_OK or STORE_ERROR. */
int db_each_pair(struct db *db, sqlite3_stmt *st,
                 int (*fn)(void *ctx, const char *a, const char *b), void *ctx);

/* Maps a db_step() result for a single-row lookup to enum store_rc. */
static inline int
db_row_rc(int rc)
{
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

/* SQLite's allocator (db_mem.c): installed by db_init before SQLite
 * starts; db_mem_release frees what the calling thread keeps cached. */
void db_mem_install(void);
void db_mem_release(void);

/* A read transaction kept open between read requests (db_keep.c). */
#define DB_KEEP_HDR 48 /* bytes of the WAL-index header */
struct db_keep {
	const volatile unsigned char *hdr; /* the header, in the -shm map */
	unsigned char seen[DB_KEEP_HDR];   /* as it was when the read began */
	int open;                          /* a kept read transaction is open */
	int unmappable;                    /* no -shm map: never keep */
};
/* Finds the header of conn's WAL index: 0, or -1 (then nothing is kept). */
int db_keep_map(struct db_keep *k, sqlite3 *conn);
/* Copies the header to seen; call before the snapshot is taken. */
void db_keep_note(struct db_keep *k);
/* 1 if the header still reads as seen: no commit since. */
int db_keep_current(const struct db_keep *k);

#endif
