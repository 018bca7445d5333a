/*
 * The whole request path of eulbd, bytes in and response out: parameter
 * decoding, SigV4, the action table, every handler, the store on a real
 * SQLite database, and the XML/JSON rendering. Only libmicrohttpd is left
 * out: the harness builds struct request as server/http.c does.
 *
 * Input: up to MAX_REQUESTS requests separated by a line "====", each
 *
 *   METHOD TARGET [MODE [SERVICE]]
 *   Name: value
 *   ...
 *   <empty line>
 *   BODY
 *
 * MODE says who signs:
 *   (none)   the request is sent as written (its own Authorization, if
 *            any, is checked and will normally fail);
 *   SIGV4    the harness signs it with a known admin key (Host and
 *            X-Amz-Date added), so the handlers are reached;
 *   SERVO    the same with the system account's (servo) key;
 *   PRESIGN  a presigned query (X-Amz-*) with the admin key.
 * The scope's service is the one of the request's Action unless SERVICE
 * is given.
 *
 * Every input starts from the same database: the bootstrap accounts, the
 * harness's keys and a small instance/subnet inventory; whatever a request
 * wrote is cleared before the next input, so a crash reproduces alone.
 *
 * Checks: no 5xx other than 503 (500 is an internal failure, a bug); a
 * rendered body of the announced length that parses (JSON) or is an XML
 * document; and a request the harness signed correctly is never refused
 * for its signature. With EULB_FUZZ_STRICT=1 a 503 fails too (nothing
 * contends here, so one means a store error). EULB_FUZZ_TRACE=1 prints
 * each request's action and answer, to see what a seed reaches.
 */
#include <sqlite3.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "config.h"
#include "db.h"
#include "dispatch.h"
#include "fuzz.h"
#include "log.h"
#include "request.h"
#include "secret.h"
#include "sigv4.h"
#include "store.h"

#define MAX_REQUESTS 8
#define SEPARATOR "\n====\n"
#define HOST "127.0.0.1:8773"
/* The admin account's id is fixed (account_bootstrap makes a random one)
 * so that seeds can name ARNs: arn:aws:iam::111122223333:... */
#define ADMIN_ACCOUNT_ID "111122223333"
#define ADMIN_AKID "AKIAFUZZADMIN0000001"
#define ADMIN_SECRET "fuzz+admin/secret0123456789abcdefghijklm"
#define SERVO_AKID "AKIAFUZZSERVO0000001"
#define SERVO_SECRET "fuzz+servo/secret0123456789abcdefghijklmn"

/* Tables a request may write; the others (accounts, keys, settings and
 * the inventory) are only set up here. */
static const char *const kept_tables[] = {
    "settings",          "accounts", "access_keys", "inventory_instances",
    "inventory_subnets",
};

static const struct {
	const char *id, *address, *zone;
} inventory_instances[] = {
    {"i-12345678", "10.0.0.1", "one"},
    {"i-87654321", "10.0.0.2", "two"},
    {"i-0123456789abcdef0", "10.0.0.3", "one"},
    {"i-abcdef01", "10.0.0.4", NULL},
};

static const struct {
	const char *id, *zone, *vpc;
} inventory_subnets[] = {
    {"subnet-1a2b3c4d", "one", "vpc-11111111"},
    {"subnet-2a2b3c4d", "two", "vpc-11111111"},
    {"subnet-5a2b3c4d", "two", "vpc-22222222"},
};

static struct {
	char dir[256];
	char db_path[300];
	char key_path[300];
	struct server_config config;
	sqlite3 *conn;        /* the harness's own, for the reset */
	struct buf reset_sql; /* DELETE FROM every writable table */
	int dirty;            /* a write succeeded since the last reset */
	int strict;
	int trace; /* EULB_FUZZ_TRACE=1: one line per request */
} env;

/* Strings a request points at, freed together after it. */
struct pool {
	char **v;
	size_t n;
};

static const char *
pool_keep(struct pool *p, char *s)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	p->v[p->n++] = s;
	return s;
}

static void
pool_free(struct pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

/* --- the database ---------------------------------------------------- */

static void
env_dir(void)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(env.dir, sizeof env.dir, "%s/eulb-fuzz-XXXXXX", base);
	if (!mkdtemp(env.dir))
		fatal("mkdtemp %s failed", env.dir);
	snprintf(env.db_path, sizeof env.db_path, "%s/eulb.db", env.dir);
	snprintf(env.key_path, sizeof env.key_path, "%s/master.key", env.dir);
}

/* eulbd's defaults (config_defaults), on the temporary database. */
static void
env_config(void)
{
	config_defaults(&env.config);
	env.config.listen = HOST;
	env.config.db_path = env.db_path;
	env.config.master_key = env.key_path;
	env.config.threads = 1;
	config_derive(&env.config);
}

/* The admin account, before account_bootstrap would make one. */
static void
env_admin(void)
{
	struct db *db = db_thread();
	if (!db || db_begin(db, 1) < 0 ||
	    store_account_insert(db, ADMIN_ACCOUNT_ID, "admin") != STORE_OK ||
	    db_commit(db) < 0)
		fatal("cannot create the admin account");
}

/* The known keys and the admin account's inventory. */
static void
env_populate(void)
{
	struct db *db = db_thread();
	struct account admin = {0};
	if (!db || db_begin(db, 1) < 0 ||
	    store_account_by_name(db, "admin", &admin) != STORE_OK ||
	    strcmp(admin.id, ADMIN_ACCOUNT_ID) != 0 ||
	    store_key_insert(db, ADMIN_AKID, admin.id, ADMIN_SECRET) !=
	        STORE_OK ||
	    store_key_insert(db, SERVO_AKID, env.config.system_account_id,
	                     SERVO_SECRET) != STORE_OK)
		fatal("cannot add the fuzzing keys");
	for (size_t i = 0;
	     i < sizeof inventory_instances / sizeof *inventory_instances; i++)
		if (store_inventory_instance_add(
		        db, admin.id, inventory_instances[i].id,
		        inventory_instances[i].address,
		        inventory_instances[i].zone) != STORE_OK)
			fatal("cannot add instance %s",
			      inventory_instances[i].id);
	for (size_t i = 0;
	     i < sizeof inventory_subnets / sizeof *inventory_subnets; i++)
		if (store_inventory_subnet_add(
		        db, admin.id, inventory_subnets[i].id,
		        inventory_subnets[i].zone,
		        inventory_subnets[i].vpc) != STORE_OK)
			fatal("cannot add subnet %s", inventory_subnets[i].id);
	if (db_commit(db) < 0)
		fatal("cannot commit the fuzzing set-up");
	store_account_free(&admin);
}

static int
kept(const char *table)
{
	for (size_t i = 0; i < sizeof kept_tables / sizeof *kept_tables; i++)
		if (strcmp(table, kept_tables[i]) == 0)
			return 1;
	return strncmp(table, "sqlite_", 7) == 0;
}

/* The harness's connection and the statement that empties every table a
 * request can write (foreign keys off on this connection only). */
static void
env_reset_sql(void)
{
	sqlite3_stmt *st;
	if (sqlite3_open(env.db_path, &env.conn) != SQLITE_OK ||
	    sqlite3_exec(env.conn, "PRAGMA foreign_keys=OFF", NULL, NULL,
	                 NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(env.conn,
	                       "SELECT name FROM sqlite_master "
	                       "WHERE type = 'table' ORDER BY name",
	                       -1, &st, NULL) != SQLITE_OK)
		fatal("cannot open %s: %s", env.db_path,
		      sqlite3_errmsg(env.conn));
	sqlite3_busy_timeout(env.conn, 10000);
	buf_puts(&env.reset_sql, "BEGIN IMMEDIATE;");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (!kept(name))
			buf_printf(&env.reset_sql, "DELETE FROM \"%s\";", name);
	}
	sqlite3_finalize(st);
	buf_puts(&env.reset_sql, "COMMIT;");
}

static void
env_reset(void)
{
	char *msg = NULL;
	if (sqlite3_exec(env.conn, buf_str(&env.reset_sql), NULL, NULL, &msg) !=
	    SQLITE_OK)
		fatal("reset failed: %s", msg);
	env.dirty = 0;
}

static void
env_cleanup(void)
{
	static const char *const files[] = {"eulb.db", "eulb.db-wal",
	                                    "eulb.db-shm", "master.key",
	                                    "master.key.new"};
	sqlite3_close(env.conn);
	db_shutdown();
	secret_shutdown();
	buf_free(&env.reset_sql);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char path[400];
		snprintf(path, sizeof path, "%s/%s", env.dir, files[i]);
		unlink(path);
	}
	rmdir(env.dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_keep_stderr();
	env.strict = getenv("EULB_FUZZ_STRICT") &&
	             strcmp(getenv("EULB_FUZZ_STRICT"), "1") == 0;
	env.trace = getenv("EULB_FUZZ_TRACE") &&
	            strcmp(getenv("EULB_FUZZ_TRACE"), "1") == 0;
	env_dir();
	env_config();
	/* As server/main.c's open_store, then serve(). */
	if (secret_init(env.key_path) < 0 || db_init(env.db_path) < 0)
		fatal("cannot prepare the database %s", env.db_path);
	env_admin();
	if (account_bootstrap(&env.config) < 0)
		fatal("cannot bootstrap the accounts");
	env_populate();
	env_reset_sql();
	atexit(env_cleanup);
	return 0;
}

/* --- one request from text ------------------------------------------- */

struct fuzz_request {
	char *line[4]; /* method, target, mode, service */
	struct sigv4_header *headers;
	size_t nheaders;
	const char *body;
	size_t body_len;
};

static void
fuzz_request_free(struct fuzz_request *f)
{
	for (int i = 0; i < 4; i++)
		free(f->line[i]);
	free(f->headers);
}

/* The next line of s[0..len) from *pos, without "\r\n" or "\n". */
static char *
next_line(const char *s, size_t len, size_t *pos, struct pool *pool)
{
	const char *start = s + *pos;
	const char *nl = memchr(start, '\n', len - *pos);
	size_t n = nl ? (size_t)(nl - start) : len - *pos;
	*pos += n + (nl != NULL);
	if (n && start[n - 1] == '\r')
		n--;
	return (char *)pool_keep(pool, xstrndup(start, n));
}

static void
parse_request_line(char *text, struct fuzz_request *f)
{
	char *save = NULL;
	char *tok = strtok_r(text, " ", &save);
	for (int i = 0; i < 4; i++) {
		f->line[i] = xstrdup(tok ? tok : "");
		tok = tok ? strtok_r(NULL, " ", &save) : NULL;
	}
}

static void
add_header(struct fuzz_request *f, const char *name, const char *value)
{
	f->headers =
	    xrealloc(f->headers, (f->nheaders + 1) * sizeof *f->headers);
	f->headers[f->nheaders].name = name;
	f->headers[f->nheaders].value = value;
	f->nheaders++;
}

/* "Name: value" lines up to an empty one; lines without ':' are dropped
 * (libmicrohttpd would not deliver them). */
static void
parse_text(const char *s, size_t len, struct fuzz_request *f, struct pool *pool)
{
	size_t pos = 0;
	memset(f, 0, sizeof *f);
	parse_request_line(next_line(s, len, &pos, pool), f);
	while (pos < len) {
		char *line = next_line(s, len, &pos, pool);
		if (!*line)
			break;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *value = colon + 1;
		value += strspn(value, " \t");
		add_header(f, line, value);
	}
	f->body = s + pos;
	f->body_len = len - pos;
}

/* --- signing --------------------------------------------------------- */

static int
has_header(const struct fuzz_request *f, const char *name)
{
	for (size_t i = 0; i < f->nheaders; i++)
		if (strcasecmp(f->headers[i].name, name) == 0)
			return 1;
	return 0;
}

/* Puts a header in front of the others, so request_header() finds it
 * first whatever the input also says. */
static void
prepend_header(struct fuzz_request *f, const char *name, const char *value)
{
	add_header(f, name, value);
	memmove(f->headers + 1, f->headers,
	        (f->nheaders - 1) * sizeof *f->headers);
	f->headers[0].name = name;
	f->headers[0].value = value;
}

/* The SigV4 service of the request's Action, as the server will see it
 * (query first, then body); "elasticloadbalancing" if none. */
static const char *
scope_service(const struct fuzz_request *f, const char *query)
{
	struct form params = FORM_INIT;
	const char *err, *service = "elasticloadbalancing";
	if (f->line[3][0])
		return f->line[3];
	if (query)
		form_parse(&params, query, strlen(query), &err);
	form_parse(&params, f->body, f->body_len, &err);
	const char *name = form_get(&params, "Action");
	const struct action *a = name ? action_find(name) : NULL;
	if (a)
		service = a->service;
	form_free(&params);
	return service;
}

static void
amz_now(char out[17])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* Header signing with the product's own client code (cli/ uses it). */
static int
sign_header(struct fuzz_request *f, struct request *rq, const char *akid,
            const char *secret, struct pool *pool)
{
	char amz_date[17], hash[65];
	const char *service = scope_service(f, rq->raw_query);
	amz_now(amz_date);
	if (!has_header(f, "Host"))
		prepend_header(f, "Host", HOST);
	prepend_header(f, "X-Amz-Date", pool_keep(pool, xstrdup(amz_date)));
	sigv4_sha256_hex(f->body, f->body_len, hash);
	struct sigv4_request sr = {
	    .method = rq->method,
	    .path = rq->raw_path,
	    .query = rq->raw_query,
	    .headers = f->headers,
	    .nheaders = f->nheaders,
	    .signed_headers = "host;x-amz-date",
	    .payload_hash = hash,
	};
	char *auth = sigv4_authorization(&sr, akid, secret, amz_date,
	                                 env.config.region, service);
	if (!auth)
		return 0;
	prepend_header(f, "Authorization", pool_keep(pool, auth));
	return 1;
}

/* A presigned query: X-Amz-* parameters and X-Amz-Signature. */
static int
sign_query(struct fuzz_request *f, struct request *rq, struct pool *pool)
{
	char amz_date[17], date[9], hash[65], sig[65], scope[256];
	unsigned char key[32];
	const char *service = scope_service(f, rq->raw_query);
	amz_now(amz_date);
	snprintf(date, sizeof date, "%.8s", amz_date);
	if (!has_header(f, "Host"))
		prepend_header(f, "Host", HOST);
	snprintf(scope, sizeof scope, "%.8s/%s/%s/aws4_request", amz_date,
	         env.config.region, service);
	struct buf q = BUF_INIT, creq = BUF_INIT, sts = BUF_INIT;
	if (rq->raw_query && *rq->raw_query)
		buf_printf(&q, "%s&", rq->raw_query);
	buf_printf(&q, "X-Amz-Algorithm=" SIGV4_ALGORITHM "&X-Amz-Credential=");
	struct buf cred = BUF_INIT;
	buf_printf(&cred, "%s/%s", ADMIN_AKID, scope);
	form_uri_encode(&q, cred.data, cred.len, 1);
	buf_free(&cred);
	buf_printf(&q,
	           "&X-Amz-Date=%s&X-Amz-Expires=300"
	           "&X-Amz-SignedHeaders=host",
	           amz_date);
	sigv4_sha256_hex(f->body, f->body_len, hash);
	struct sigv4_request sr = {
	    .method = rq->method,
	    .path = rq->raw_path,
	    .query = buf_str(&q),
	    .headers = f->headers,
	    .nheaders = f->nheaders,
	    .signed_headers = "host",
	    .payload_hash = hash,
	};
	int ok = sigv4_canonical_request(&sr, &creq) == 0;
	if (ok) {
		sigv4_string_to_sign(amz_date, scope, buf_str(&creq), &sts);
		sigv4_signing_key(ADMIN_SECRET, date, env.config.region,
		                  service, key);
		sigv4_signature(key, buf_str(&sts), sig);
		buf_printf(&q, "&X-Amz-Signature=%s", sig);
		free(rq->raw_query);
		rq->raw_query = buf_steal(&q);
	}
	buf_free(&q);
	buf_free(&creq);
	buf_free(&sts);
	return ok;
}

/* --- running it ------------------------------------------------------ */

/* What a correctly signed request may still be refused for is anything
 * but its signature. */
static int
signature_error(enum err_id e)
{
	return e == ERR_SIGNATURE_MISMATCH || e == ERR_INCOMPLETE_SIGNATURE ||
	       e == ERR_INVALID_CLIENT_TOKEN || e == ERR_MISSING_AUTH ||
	       e == ERR_REQUEST_EXPIRED;
}

static void
check_response(const struct request *rq, int signed_ok)
{
	const struct err_info *e = err_info(rq->err);
	FUZZ_CHECK(rq->status >= 200 && rq->status < 600, "status %d",
	           rq->status);
	FUZZ_CHECK(rq->status < 500 || (rq->status == 503 && !env.strict),
	           "%s %s: status %d %s: %s", rq->method, rq->raw_path,
	           rq->status, rq->status >= 300 ? e->code : "",
	           rq->err_message ? rq->err_message : "");
	FUZZ_CHECK(rq->response_body && rq->content_type, "nothing rendered");
	FUZZ_CHECK(strlen(rq->response_body) == rq->response_len,
	           "a NUL inside the %zu-byte response", rq->response_len);
	FUZZ_CHECK(rq->status != 200 || rq->action, "200 without an action");
	if (strcmp(rq->content_type, "application/json") == 0) {
		json_error_t jerr;
		json_t *doc =
		    json_loadb(rq->response_body, rq->response_len, 0, &jerr);
		FUZZ_CHECK(doc != NULL, "the JSON response does not parse: %s",
		           jerr.text);
		json_decref(doc);
	} else {
		FUZZ_CHECK(strncmp(rq->response_body, "<?xml", 5) == 0,
		           "not an XML document");
	}
	FUZZ_CHECK(!signed_ok || rq->status < 300 || !signature_error(rq->err),
	           "a request signed by the harness was refused: %s: %s",
	           e->code, rq->err_message ? rq->err_message : "");
}

static void
run_one(const char *text, size_t len)
{
	struct pool pool = {NULL, 0};
	struct fuzz_request f;
	parse_text(text, len, &f, &pool);

	struct request *rq = xcalloc(1, sizeof *rq);
	clock_gettime(CLOCK_MONOTONIC, &rq->started);
	rq->config = &env.config;
	rq->method = f.line[0];
	const char *target = f.line[1];
	const char *q = strchr(target, '?');
	rq->raw_path =
	    q ? xstrndup(target, (size_t)(q - target)) : xstrdup(target);
	rq->raw_query = q ? xstrdup(q + 1) : NULL;
	snprintf(rq->request_id, sizeof rq->request_id,
	         "00000000-0000-4000-8000-000000000000");
	if (f.body_len > env.config.max_body)
		rq->body_too_large = 1;
	else
		buf_append(&rq->body, f.body, f.body_len);

	/* A signature the server must accept: ours, and nothing in the
	 * input that legitimately changes the verdict. */
	const char *mode = f.line[2];
	int signed_ok = 0;
	int plain = !f.line[3][0] && !has_header(&f, "X-Amz-Content-SHA256");
	if (strcmp(mode, "SIGV4") == 0)
		signed_ok =
		    sign_header(&f, rq, ADMIN_AKID, ADMIN_SECRET, &pool) &&
		    plain;
	else if (strcmp(mode, "SERVO") == 0)
		signed_ok =
		    sign_header(&f, rq, SERVO_AKID, SERVO_SECRET, &pool) &&
		    plain;
	else if (strcmp(mode, "PRESIGN") == 0)
		signed_ok = !has_header(&f, "Authorization") && plain &&
		            sign_query(&f, rq, &pool);

	rq->headers = xcalloc(f.nheaders, sizeof *rq->headers);
	if (f.nheaders)
		memcpy(rq->headers, f.headers,
		       f.nheaders * sizeof *rq->headers);
	rq->nheaders = f.nheaders;
	const char *accept = request_header(rq, "Accept");
	rq->want_json = accept && strstr(accept, "application/json");

	/* server/http.c's http_access from here on. */
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "POST") != 0)
		resp_error(rq, ERR_INVALID_ACTION,
		           "The HTTP method %s is not supported; use POST "
		           "with a form body or GET with a query string",
		           rq->method);
	else
		dispatch(rq);
	resp_render(rq);
	if (env.trace)
		dprintf(fuzz_report_fd, "%s %s %s -> %d %s %s\n", rq->method,
		        rq->raw_path, rq->action ? rq->action->name : "-",
		        rq->status,
		        rq->status >= 300 ? err_info(rq->err)->code : "",
		        rq->err_message ? rq->err_message : "");
	check_response(rq, signed_ok);
	if (rq->status == 200 && (rq->action->flags & ACT_WRITE))
		env.dirty = 1;

	request_free(rq);
	fuzz_request_free(&f);
	pool_free(&pool);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	if (env.dirty)
		env_reset();
	for (int n = 0; n < MAX_REQUESTS && s <= end; n++) {
		const char *sep =
		    memmem(s, (size_t)(end - s), SEPARATOR, strlen(SEPARATOR));
		const char *stop = sep ? sep : end;
		run_one(s, (size_t)(stop - s));
		if (!sep)
			break;
		s = sep + strlen(SEPARATOR);
	}
	return 0;
}
