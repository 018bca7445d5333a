/*
 * The SQLite connection layer: open and migrate once at start-up, then one
 * connection per worker thread with its statements prepared once. Only the
 * store modules (store_*.c) reach below this header; handlers call store_*.
 */
#ifndef EULB_DB_H
#define EULB_DB_H

#include <stdint.h>

struct db;

/* Opens (creating) path, applies pending migrations, remembers the path for
 * the per-thread connections. Start-up only. */
int db_init(const char *path);
/* This thread's connection, opened on first use; NULL on failure. */
struct db *db_thread(void);
/* Closes every connection (after the HTTP daemon has stopped). */
void db_shutdown(void);

/* One transaction per request: write=1 takes the write lock up front
 * (BEGIN IMMEDIATE) so a request never fails half-way on SQLITE_BUSY. */
int db_begin(struct db *db, int write);
int db_commit(struct db *db);
void db_rollback(struct db *db);
/* The server's connections leave WAL checkpoints to db_maintain (call
 * before any connection opens). */
void db_defer_checkpoints(void);
/* For the writer thread, after each batch and, idle, once a second: ends
 * the kept read transactions (db_keep.c) that commits made stale, then
 * checkpoints if the WAL has grown past SQLite's threshold (or, idle,
 * whatever is left). */
void db_maintain(int idle);
/* Inside a transaction: one request's share of it (dispatch_run_batch). */
int db_savepoint(struct db *db);
void db_savepoint_release(struct db *db);
void db_savepoint_rollback(struct db *db);

#endif
