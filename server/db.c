#include "db_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "migrations.h"

/* Transaction control, run on every request: prepared once per
 * connection like the store's statements (sqlite3_exec would compile
 * each again, a few per cent of a small read). */
enum txn_id {
	TXN_BEGIN,
	TXN_BEGIN_WRITE,
	TXN_COMMIT,
	TXN_ROLLBACK,
	TXN_SAVEPOINT,
	TXN_RELEASE,
	TXN_ROLLBACK_TO,
	TXN_COUNT
};

static const char *const txn_sql[TXN_COUNT] = {
    [TXN_BEGIN] = "BEGIN",
    [TXN_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [TXN_COMMIT] = "COMMIT",
    [TXN_ROLLBACK] = "ROLLBACK",
    [TXN_SAVEPOINT] = "SAVEPOINT request",
    [TXN_RELEASE] = "RELEASE request",
    [TXN_ROLLBACK_TO] = "ROLLBACK TO request",
};

struct db {
	sqlite3 *conn;
	int writing; /* holds db_write_lock */
	/* Held by the owning thread from db_begin to the end of the
	 * transaction; another thread takes it to end a stale kept read. */
	pthread_mutex_t use;
	int in_use; /* this thread holds use */
	struct db_keep keep;
	sqlite3_stmt *stmts[STMT_COUNT];
	sqlite3_stmt *txn[TXN_COUNT];
	struct db *next; /* registry of all connections, for shutdown */
};

static const char *const stmt_sql[STMT_COUNT] = {
#define X(id, sql) [id] = sql,
#include "statements.def"
#undef X
};

static char *db_path;
static pthread_mutex_t db_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db *db_registry;
static __thread struct db *db_current;

/* SQLite checkpoints inside COMMIT once the WAL holds 1,000 frames
 * (its default). Kept reads would stop that checkpoint at their
 * snapshots, so eulbd's connections only note the need here and
 * db_maintain checkpoints after the stale reads are ended. */
#define DB_CHECKPOINT_FRAMES 1000
static int db_checkpoint_wanted;
static int db_checkpoint_deferred;

static int
db_wal_hook(void *arg, sqlite3 *conn, const char *name, int frames)
{
	(void)arg;
	(void)conn;
	(void)name;
	if (frames >= DB_CHECKPOINT_FRAMES)
		__atomic_store_n(&db_checkpoint_wanted, 1, __ATOMIC_RELAXED);
	return SQLITE_OK;
}

void
db_defer_checkpoints(void)
{
	db_checkpoint_deferred = 1;
}

static int
db_exec(sqlite3 *conn, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("%s: %s", sql, msg ? msg : sqlite3_errmsg(conn));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Connection set-up is the one place for SQLite-only pragmas. WAL lets
 * readers run beside the writer; synchronous=FULL makes an answered write
 * survive power loss; busy_timeout queues writers instead of failing. */
static sqlite3 *
db_connect(const char *path)
{
	sqlite3 *conn = NULL;
	int flags =
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &conn, flags, NULL) != SQLITE_OK) {
		log_error("cannot open %s: %s", path,
		          conn ? sqlite3_errmsg(conn) : "out of memory");
		sqlite3_close(conn);
		return NULL;
	}
	sqlite3_busy_timeout(conn, 10000);
	if (db_exec(conn, "PRAGMA journal_mode=WAL") < 0 ||
	    db_exec(conn, "PRAGMA synchronous=FULL") < 0 ||
	    db_exec(conn, "PRAGMA foreign_keys=ON") < 0) {
		sqlite3_close(conn);
		return NULL;
	}
	return conn;
}

static int
db_user_version(sqlite3 *conn)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(conn, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Each migration runs in its own transaction together with the
 * user_version bump, so a crash leaves the schema at a whole version. */
static int
db_migrate(sqlite3 *conn)
{
	int have = db_user_version(conn);
	if (have < 0)
		return -1;
	if (have > (int)migration_count) {
		log_error("database schema version %d is newer than this eulbd "
		          "(%zu); upgrade eulbd",
		          have, migration_count);
		return -1;
	}
	for (size_t i = (size_t)have; i < migration_count; i++) {
		struct buf sql = BUF_INIT;
		buf_printf(
		    &sql,
		    "BEGIN IMMEDIATE;\n%s\nPRAGMA user_version=%zu;\nCOMMIT;",
		    migrations[i].sql, i + 1);
		int rc = db_exec(conn, buf_str(&sql));
		buf_free(&sql);
		if (rc < 0) {
			db_exec(conn, "ROLLBACK");
			log_error("migration %s failed", migrations[i].name);
			return -1;
		}
		log_info("applied migration %s", migrations[i].name);
	}
	return 0;
}

int
db_init(const char *path)
{
	/* Every connection belongs to one thread at a time (one per thread,
	 * db_thread), so SQLite's own locking of connections is not needed,
	 * nor the global memory statistics that take a mutex per malloc.
	 * Only possible before SQLite initialises; later calls change
	 * nothing (SQLITE_MISUSE), which is harmless. */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	db_mem_install();
	sqlite3 *conn = db_connect(path);
	if (!conn)
		return -1;
	int rc = db_migrate(conn);
	sqlite3_close(conn);
	if (rc < 0)
		return -1;
	free(db_path);
	db_path = xstrdup(path);
	return 0;
}

/* Finalizes what was prepared (NULLs are skipped), closes, frees. */
static void
db_finalize(struct db *db)
{
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(db->stmts[i]);
	for (int i = 0; i < TXN_COUNT; i++)
		sqlite3_finalize(db->txn[i]);
	if (sqlite3_close(db->conn) != SQLITE_OK)
		log_error("close: %s", sqlite3_errmsg(db->conn));
	pthread_mutex_destroy(&db->use);
	free(db);
}

static struct db *
db_open_thread(void)
{
	struct db *db = xcalloc(1, sizeof *db);
	pthread_mutex_init(&db->use, NULL);
	db->conn = db_connect(db_path);
	if (!db->conn) {
		pthread_mutex_destroy(&db->use);
		free(db);
		return NULL;
	}
	for (int i = 0; i < STMT_COUNT; i++) {
		if (sqlite3_prepare_v3(db->conn, stmt_sql[i], -1,
		                       SQLITE_PREPARE_PERSISTENT, &db->stmts[i],
		                       NULL) != SQLITE_OK) {
			log_error("statement %d: %s", i,
			          sqlite3_errmsg(db->conn));
			db_finalize(db);
			return NULL;
		}
	}
	for (int i = 0; i < TXN_COUNT; i++) {
		if (sqlite3_prepare_v3(db->conn, txn_sql[i], -1,
		                       SQLITE_PREPARE_PERSISTENT, &db->txn[i],
		                       NULL) != SQLITE_OK) {
			log_error("%s: %s", txn_sql[i],
			          sqlite3_errmsg(db->conn));
			db_finalize(db);
			return NULL;
		}
	}
	if (db_checkpoint_deferred)
		sqlite3_wal_hook(db->conn, db_wal_hook, NULL);
	pthread_mutex_lock(&db_registry_lock);
	db->next = db_registry;
	db_registry = db;
	pthread_mutex_unlock(&db_registry_lock);
	return db;
}

struct db *
db_thread(void)
{
	if (!db_current && db_path)
		db_current = db_open_thread();
	return db_current;
}

void
db_shutdown(void)
{
	pthread_mutex_lock(&db_registry_lock);
	struct db *db = db_registry;
	db_registry = NULL;
	pthread_mutex_unlock(&db_registry_lock);
	while (db) {
		struct db *next = db->next;
		db_finalize(db);
		db = next;
	}
	db_current = NULL;
	free(db_path);
	db_path = NULL;
	db_mem_release();
}

static int
db_txn(struct db *db, enum txn_id id)
{
	sqlite3_stmt *st = db->txn[id];
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	log_error("%s: %s", txn_sql[id], sqlite3_errmsg(db->conn));
	return -1;
}

/* Writers of this process queue on a mutex before taking SQLite's write
 * lock: SQLite's busy handler sleeps in growing steps (up to 100 ms) and
 * lets a luckier thread overtake, which put second-long tails on writes
 * under load. busy_timeout remains for other processes (eulbd admin
 * commands, a second eulbd). */
static pthread_mutex_t db_write_lock = PTHREAD_MUTEX_INITIALIZER;

static void
db_take(struct db *db)
{
	pthread_mutex_lock(&db->use);
	db->in_use = 1;
}

static void
db_give(struct db *db)
{
	if (db->in_use) {
		db->in_use = 0;
		pthread_mutex_unlock(&db->use);
	}
}

/* Ends a kept read. ROLLBACK: it wrote nothing, and unlike COMMIT it
 * cannot fail and leave the connection inside a transaction. */
static void
db_end_kept(struct db *db)
{
	db->keep.open = 0;
	db_txn(db, TXN_ROLLBACK);
	if (sqlite3_txn_state(db->conn, "main") == SQLITE_TXN_NONE)
		return;
	/* A statement left stepping keeps the snapshot (SQLite downgrades
	 * the transaction instead of ending it), and the next BEGIN would
	 * read it as new: reset them, which ends it. */
	log_warn("a statement was left unfinished; reset");
	for (sqlite3_stmt *st = NULL; (st = sqlite3_next_stmt(db->conn, st));)
		if (sqlite3_stmt_busy(st))
			sqlite3_reset(st);
}

int
db_begin(struct db *db, int write)
{
	db_take(db);
	if (db->keep.open) {
		if (!write && db_keep_current(&db->keep)) {
			db->keep.open = 0;
			return 0; /* the kept read still sees the last commit */
		}
		db_end_kept(db);
	}
	if (!write) {
		db_keep_note(&db->keep);
		if (db_txn(db, TXN_BEGIN) == 0)
			return 0;
		db_give(db);
		return -1;
	}
	pthread_mutex_lock(&db_write_lock);
	db->writing = 1;
	if (db_txn(db, TXN_BEGIN_WRITE) == 0)
		return 0;
	db->writing = 0;
	pthread_mutex_unlock(&db_write_lock);
	db_give(db);
	return -1;
}

static void
db_end_write(struct db *db)
{
	if (db->writing) {
		db->writing = 0;
		pthread_mutex_unlock(&db_write_lock);
	}
}

/* A read that took its snapshot (or none yet) may stay open for the
 * thread's next read (db_keep.c). */
static int
db_keepable(struct db *db)
{
	int state = sqlite3_txn_state(db->conn, "main");
	return !db->writing &&
	       (state == SQLITE_TXN_READ || state == SQLITE_TXN_NONE) &&
	       db_keep_map(&db->keep, db->conn) == 0;
}

int
db_commit(struct db *db)
{
	if (db_keepable(db)) {
		db->keep.open = 1;
		db_give(db);
		return 0;
	}
	int rc = db_txn(db, TXN_COMMIT);
	if (rc == 0) {
		db_end_write(db);
		db_give(db);
	}
	return rc;
}

/* Ends the kept reads of other threads that a commit has made stale; one
 * in use is left to its thread (its next db_begin looks itself). */
static void
db_release_stale(void)
{
	pthread_mutex_lock(&db_registry_lock);
	for (struct db *db = db_registry; db; db = db->next) {
		if (pthread_mutex_trylock(&db->use) != 0)
			continue;
		if (db->keep.open && !db_keep_current(&db->keep))
			db_end_kept(db);
		pthread_mutex_unlock(&db->use);
	}
	pthread_mutex_unlock(&db_registry_lock);
}

void
db_maintain(int idle)
{
	db_release_stale();
	int wanted =
	    __atomic_exchange_n(&db_checkpoint_wanted, 0, __ATOMIC_RELAXED);
	struct db *db = db_thread();
	/* PASSIVE: never waits for a reader or a writer. Idle, it also
	 * finishes what other processes' commits left (their own
	 * checkpoint stopped at this process's kept reads). */
	if (db && (wanted || idle))
		sqlite3_wal_checkpoint_v2(
		    db->conn, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

int
db_savepoint(struct db *db)
{
	return db_txn(db, TXN_SAVEPOINT);
}

void
db_savepoint_release(struct db *db)
{
	db_txn(db, TXN_RELEASE);
}

void
db_savepoint_rollback(struct db *db)
{
	db_txn(db, TXN_ROLLBACK_TO);
	db_txn(db, TXN_RELEASE);
}

void
db_rollback(struct db *db)
{
	db->keep.open = 0;
	if (!sqlite3_get_autocommit(db->conn))
		db_txn(db, TXN_ROLLBACK);
	db_end_write(db);
	db_give(db);
}

sqlite3_stmt *
db_stmt(struct db *db, enum stmt_id id)
{
	sqlite3_stmt *st = db->stmts[id];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static int
db_param_index(sqlite3_stmt *st, const char *name)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i == 0)
		fatal("statement has no parameter %s: %s", name,
		      sqlite3_sql(st));
	return i;
}

void
db_bind_text(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = db_param_index(st, name);
	if (value)
		sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void
db_bind_int(sqlite3_stmt *st, const char *name, int64_t value)
{
	sqlite3_bind_int64(st, db_param_index(st, name), value);
}

int
db_step(struct db *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	if (rc != SQLITE_CONSTRAINT)
		log_error("%s: %s", sqlite3_sql(st), sqlite3_errmsg(db->conn));
	return -1;
}

int
db_exec_stmt(struct db *db, sqlite3_stmt *st)
{
	int rc = db_step(db, st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

char *
db_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? xstrdup((const char *)s) : NULL;
}

int
db_last_error_is_constraint(struct db *db)
{
	return (sqlite3_errcode(db->conn) & 0xff) == SQLITE_CONSTRAINT;
}

int64_t
db_last_insert_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->conn);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->conn);
}

int
db_scalar(struct db *db, sqlite3_stmt *st, long *out)
{
	int rc = db_step(db, st);
	if (rc == SQLITE_ROW)
		*out = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
db_each_pair(struct db *db, sqlite3_stmt *st,
             int (*fn)(void *ctx, const char *a, const char *b), void *ctx)
{
	int rc;
	while ((rc = db_step(db, st)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0),
		       (const char *)sqlite3_column_text(st, 1)))
			break;
	sqlite3_reset(st);
	return rc < 0 ? -1 : 0;
}
