#include "config.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ini.h"
#include "util.h"

#define DEFAULT_CONFIG_PATH                                                    \
	"/etc/euca2ools/euca2ools.ini:/etc/euca2ools/conf.d/*.ini:~/.euca/"    \
	"*.ini"
#define MAX_USE_DEPTH 8

struct cfg {
	struct ini ini;
	char *user;   /* from USER@REGION specs, first one wins */
	char *region; /* likewise; then [global] default-region */
	struct buf *err;
	int failed;
};

static const char *
env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static int
load_files(struct cfg *c)
{
	const char *path = getenv("EUCA_CONFIG_PATH");
	char *list = xstrdup(path ? path : DEFAULT_CONFIG_PATH);
	int rc = 0;
	for (char *save = NULL, *pat = strtok_r(list, ":", &save); pat && !rc;
	     pat = strtok_r(NULL, ":", &save)) {
		glob_t g;
		if (glob(pat, GLOB_TILDE, NULL, &g) != 0)
			continue;
		/* glob sorts; later files override earlier ones. */
		for (size_t i = 0; i < g.gl_pathc && !rc; i++) {
			cli_debug("reading config file %s", g.gl_pathv[i]);
			rc = ini_load(&c->ini, g.gl_pathv[i], c->err);
		}
		globfree(&g);
	}
	free(list);
	return rc;
}

/* "USER@REGION", "REGION" or "USER@": fills whatever is still unset. */
static void
set_userregion(struct cfg *c, const char *spec)
{
	if (!spec || !*spec)
		return;
	const char *at = strchr(spec, '@');
	if (at && at > spec && !c->user)
		c->user = xstrndup(spec, (size_t)(at - spec));
	const char *region = at ? at + 1 : spec;
	if (*region && !c->region)
		c->region = xstrdup(region);
}

/* NAME of a "[<kind> NAME]" section header, or NULL. */
static const char *
section_name(const char *header, const char *kind)
{
	size_t klen = strlen(kind);
	if (strncmp(header, kind, klen) != 0 ||
	    (header[klen] != ' ' && header[klen] != '\t'))
		return NULL;
	return header + klen + strspn(header + klen, " \t");
}

static const struct ini_section *
find_section(const struct cfg *c, const char *kind, const char *name)
{
	for (size_t i = 0; i < c->ini.n; i++) {
		const char *s = section_name(c->ini.v[i].name, kind);
		if (s && strcmp(s, name) == 0)
			return &c->ini.v[i];
	}
	return NULL;
}

static const char *lookup(struct cfg *c, const char *kind, const char *name,
                          const char *option, int depth);

/* "use NAME [OPTION]" reads the option from another section. */
static const char *
follow_use(struct cfg *c, const char *kind, const char *value,
           const char *option, int depth)
{
	char *copy = xstrdup(value + 4);
	char *save = NULL;
	char *name = strtok_r(copy, " \t", &save);
	char *other = strtok_r(NULL, " \t", &save);
	const char *v = NULL;
	if (!name) {
		buf_printf(c->err, "something must follow 'use' in '%s'",
		           value);
		c->failed = 1;
	} else {
		v = lookup(c, kind, name, other ? other : option, depth + 1);
	}
	free(copy);
	return v;
}

/* 'us-east-1' also finds a unique '[region aws:us-east-1]'. */
static const char *
lookup_suffix(struct cfg *c, const char *kind, const char *name,
              const char *option, int depth, size_t nbits)
{
	size_t nlen = strlen(name);
	for (size_t want = nbits + 1; want < nbits + 8; want++) {
		const char *match = NULL;
		int count = 0;
		for (size_t i = 0; i < c->ini.n; i++) {
			const char *s = section_name(c->ini.v[i].name, kind);
			if (!s)
				continue;
			size_t slen = strlen(s), parts = 1;
			for (const char *p = s; *p; p++)
				parts += *p == ':';
			if (parts != want || slen <= nlen ||
			    s[slen - nlen - 1] != ':' ||
			    strcmp(s + slen - nlen, name) != 0)
				continue;
			match = s;
			count++;
		}
		if (count == 1)
			return lookup(c, kind, match, option, depth + 1);
		if (count > 1) {
			buf_printf(c->err,
			           "'%s' is ambiguous in the configuration",
			           name);
			c->failed = 1;
			return NULL;
		}
	}
	return NULL;
}

/*
 * requestbuilder's lookup: the exact section, then the same name with
 * ':'-separated parts replaced by '*' wildcards, then a namespaced section
 * that ends with the name.
 */
static const char *
lookup(struct cfg *c, const char *kind, const char *name, const char *option,
       int depth)
{
	if (depth > MAX_USE_DEPTH || c->failed) {
		if (!c->failed)
			buf_printf(c->err,
			           "configuration option '%s' redirects "
			           "too many times",
			           option);
		c->failed = 1;
		return NULL;
	}
	size_t nbits = 1;
	for (const char *p = name; *p; p++)
		nbits += *p == ':';
	if (nbits > 8)
		return NULL;
	for (unsigned m = 0; m < (1u << nbits); m++) {
		struct buf cand = BUF_INIT;
		const char *p = name;
		for (size_t i = 0; i < nbits; i++) {
			size_t len = strcspn(p, ":");
			if (i)
				buf_putc(&cand, ':');
			if (m & (1u << (nbits - 1 - i)))
				buf_putc(&cand, '*');
			else
				buf_append(&cand, p, len);
			p += len + (p[len] == ':');
		}
		const char *v =
		    ini_get(find_section(c, kind, buf_str(&cand)), option);
		buf_free(&cand);
		if (v && strncmp(v, "use ", 4) == 0)
			return follow_use(c, kind, v, option, depth);
		if (v)
			return v;
	}
	return lookup_suffix(c, kind, name, option, depth, nbits);
}

static const char *
region_option(struct cfg *c, const char *option)
{
	return c->region ? lookup(c, "region", c->region, option, 0) : NULL;
}

static const char *
user_option(struct cfg *c, const char *option)
{
	const char *user = c->user ? c->user : region_option(c, "user");
	return user ? lookup(c, "user", user, option, 0) : NULL;
}

static int
strptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "No elasticloadbalancing endpoint to connect to was given. ..." */
static void
no_endpoint(struct cfg *c, const char *svc, const char *url_opt)
{
	struct buf names = BUF_INIT;
	const char **list = NULL;
	size_t n = 0;
	for (size_t i = 0; i < c->ini.n; i++) {
		const char *name = section_name(c->ini.v[i].name, "region");
		if (!name || strchr(name, '*') ||
		    !ini_get(&c->ini.v[i], url_opt))
			continue;
		list = xrealloc(list, (n + 1) * sizeof *list);
		list[n++] = name;
	}
	if (n > 1)
		qsort(list, n, sizeof *list, strptr_cmp);
	for (size_t i = 0; i < n; i++)
		buf_printf(&names, "%s%s", i ? ", " : "", list[i]);
	buf_printf(c->err, "No %s endpoint to connect to was given. ", svc);
	if (n)
		buf_printf(c->err,
		           "Configured regions with %s endpoints are: %s", svc,
		           buf_str(&names));
	else
		buf_printf(c->err,
		           "%s endpoints may be specified in a config "
		           "file with \"%s\".",
		           svc, url_opt);
	free(list);
	buf_free(&names);
}

/*
 * "REGION::URL" or "URL". The first URL seen is the endpoint; its prefix
 * names the signing region. Any prefix also selects the config region.
 */
static void
process_url(struct cfg *c, const char *spec, struct cli_config *out,
            char **url_region)
{
	if (!spec || !*spec)
		return;
	const char *sep = strstr(spec, "::");
	/* "http://[::1]:8773/" has no prefix: a region name holds no '/'. */
	if (sep && memchr(spec, '/', (size_t)(sep - spec)))
		sep = NULL;
	char *prefix = sep ? xstrndup(spec, (size_t)(sep - spec)) : NULL;
	if (!out->url) {
		out->url = xstrdup(sep ? sep + 2 : spec);
		const char *at = prefix ? strchr(prefix, '@') : NULL;
		const char *r = at ? at + 1 : prefix;
		if (r && *r)
			*url_region = xstrdup(r);
	}
	set_userregion(c, prefix);
	free(prefix);
}

/*
 * The signing region (section 6.1): the URL's REGION:: prefix, the config
 * region that supplied the URL, AWS_AUTH_REGION, then (ours, for eucarc
 * users) AWS_DEFAULT_REGION, else "undefined-<pid>" as euca2ools sends.
 */
static char *
signing_region(struct cfg *c, char *url_region, int from_config)
{
	const char *name = region_option(c, "name");
	const char *last = c->region ? strrchr(c->region, ':') : NULL;
	struct buf r = BUF_INIT;

	if (url_region)
		return url_region;
	if (from_config)
		return xstrdup(name ? name : last ? last + 1 : c->region);
	if (env("AWS_AUTH_REGION"))
		return xstrdup(env("AWS_AUTH_REGION"));
	if (env("AWS_DEFAULT_REGION"))
		return xstrdup(env("AWS_DEFAULT_REGION"));
	buf_printf(&r, "undefined-%ld", (long)getpid());
	return buf_steal(&r);
}

static int
resolve_endpoint(struct cfg *c, const struct cli_service *svc,
                 const struct opt_result *args, struct cli_config *out)
{
	const char *dflt =
	    ini_get(ini_section(&c->ini, "global"), "default-region");
	char *url_region = NULL;
	char url_opt[64];
	int from_config = 0;

	snprintf(url_opt, sizeof url_opt, "%s-url", svc->name);
	process_url(c, opt_get_str(args, "url"), out, &url_region);
	set_userregion(c, opt_get_str(args, "region"));
	set_userregion(c, env("EUCA_DEFAULT_REGION"));
	set_userregion(c, env("AWS_DEFAULT_REGION"));
	process_url(c, env(svc->url_env), out, &url_region);
	if (!c->region && dflt)
		c->region = xstrdup(dflt);
	if (!out->url && region_option(c, url_opt)) {
		out->url = xstrdup(region_option(c, url_opt));
		from_config = 1;
	}
	if (!c->failed && !out->url)
		no_endpoint(c, svc->name, url_opt);
	if (c->failed || !out->url) {
		free(url_region);
		return -1;
	}
	out->region = signing_region(c, url_region, from_config);
	cli_debug("endpoint %s, signing region %s", out->url, out->region);
	return 0;
}

static void
set_creds(struct cli_config *out, const char *akid, const char *secret,
          const char *token)
{
	out->akid = xstrdup(akid);
	out->secret = xstrdup(secret);
	out->token = token && *token ? xstrdup(token) : NULL;
}

/* "2026-01-02T03:04:05Z" or with fractional seconds; -1 if not that. */
static time_t
parse_expiration(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -1;
	if (*end == '.') {
		end++;
		end += strspn(end, "0123456789");
	}
	return strcmp(end, "Z") == 0 ? timegm(&tm) : -1;
}

static int
creds_from_env(struct cfg *c, struct cli_config *out)
{
	const char *akid = env("AWS_ACCESS_KEY_ID");
	const char *secret = env("AWS_SECRET_ACCESS_KEY");
	const char *exp = env("AWS_CREDENTIAL_EXPIRATION");
	if (!akid)
		akid = env("AWS_ACCESS_KEY");
	if (!secret)
		secret = env("AWS_SECRET_KEY");
	if (!akid || !secret)
		return 0;
	if (exp && parse_expiration(exp) < 0)
		cli_debug("cannot parse AWS_CREDENTIAL_EXPIRATION '%s'; "
		          "proceeding without validation",
		          exp);
	else if (exp && parse_expiration(exp) < time(NULL)) {
		buf_puts(c->err, "credentials have expired");
		c->failed = 1;
		return 0;
	}
	cli_debug("using credentials from the environment");
	set_creds(out, akid, secret, env("AWS_SECURITY_TOKEN"));
	return 1;
}

/* AWSAccessKeyId=... and AWSSecretKey=... lines; '#' starts a comment. */
static int
creds_from_file(struct cfg *c, struct cli_config *out)
{
	const char *path = env("AWS_CREDENTIAL_FILE");
	if (!path)
		return 0;
	glob_t g;
	int globbed = glob(path, GLOB_TILDE | GLOB_NOCHECK, NULL, &g) == 0;
	const char *file = globbed && g.gl_pathc ? g.gl_pathv[0] : path;
	FILE *f = fopen(file, "r");
	char *akid = NULL, *secret = NULL, *line = NULL;
	size_t cap = 0;
	if (!f) {
		buf_printf(c->err, "cannot read credential file '%s': %s", file,
		           strerror(errno));
		c->failed = 1;
	}
	while (f && getline(&line, &cap, f) >= 0) {
		line[strcspn(line, "#")] = '\0';
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		char *key = cli_strip(line, (size_t)(eq - line));
		char **slot = strcmp(key, "AWSAccessKeyId") == 0 ? &akid
		              : strcmp(key, "AWSSecretKey") == 0 ? &secret
		                                                 : NULL;
		if (slot && !*slot)
			*slot = cli_strip(eq + 1, strlen(eq + 1));
		free(key);
	}
	int ok = akid && *akid && secret && *secret;
	if (ok) {
		cli_debug("using credentials from %s", file);
		set_creds(out, akid, secret, NULL);
	}
	if (f)
		fclose(f);
	if (globbed)
		globfree(&g);
	free(line);
	free(akid);
	free(secret);
	return ok;
}

static int
resolve_credentials(struct cfg *c, const struct opt_result *args,
                    struct cli_config *out)
{
	const char *akid = opt_get_str(args, "access-key-id");
	const char *secret = opt_get_str(args, "secret-key");
	if (akid && *akid && !(secret && *secret)) {
		buf_puts(c->err,
		         "missing secret key; please supply one with -S");
		return -1;
	}
	if (secret && *secret && !(akid && *akid)) {
		buf_puts(c->err,
		         "missing access key ID; please supply one with -I");
		return -1;
	}
	if (akid && *akid) {
		set_creds(out, akid, secret,
		          opt_get_str(args, "security-token"));
		return 0;
	}
	if (creds_from_env(c, out) || c->failed)
		return c->failed ? -1 : 0;
	if (creds_from_file(c, out) || c->failed)
		return c->failed ? -1 : 0;
	akid = user_option(c, "key-id");
	secret = user_option(c, "secret-key");
	if (c->failed)
		return -1;
	if (!akid || !*akid || !secret || !*secret) {
		buf_puts(c->err,
		         "missing access key ID; please supply one with -I");
		return -1;
	}
	cli_debug("using credentials from the configuration");
	set_creds(out, akid, secret, NULL);
	return 0;
}

/*
 * The usual boolean words, in any case. Anything else keeps dflt: a
 * typo must not turn TLS verification off.
 */
static int
parse_bool(const char *v, int dflt)
{
	static const char *const yes[] = {"true", "1", "yes", "on"};
	static const char *const no[] = {"false", "0", "no", "off"};
	for (size_t i = 0; v && i < sizeof yes / sizeof *yes; i++) {
		if (cli_strcaseeq(v, yes[i]))
			return 1;
		if (cli_strcaseeq(v, no[i]))
			return 0;
	}
	return dflt;
}

/* The first of: the option, the environment variable, the region's
 * config option. */
static char *
tls_setting(struct cfg *c, const struct opt_result *args, const char *opt,
            const char *env)
{
	const char *v = opt_get_str(args, opt);
	if (!v || !*v)
		v = getenv(env);
	if (!v || !*v)
		v = region_option(c, opt);
	return v && *v ? xstrdup(v) : NULL;
}

/* Unlike euca2ools, https endpoints are verified unless --insecure (or
 * verify-ssl = false in the region) says otherwise: a control plane's
 * credentials must not go to whoever answers. */
static void
resolve_tls(struct cfg *c, const struct opt_result *args,
            struct cli_config *out)
{
	out->verify_tls = parse_bool(region_option(c, "verify-ssl"), 1);
	if (opt_get_flag(args, "insecure"))
		out->verify_tls = 0;
	out->ca_bundle = tls_setting(c, args, "ca-bundle", "AWS_CA_BUNDLE");
	out->client_cert =
	    tls_setting(c, args, "client-cert", "EULB_CLIENT_CERT");
	out->client_key = tls_setting(c, args, "client-key", "EULB_CLIENT_KEY");
}

int
cli_config_resolve(const struct cli_service *svc, const struct opt_result *args,
                   struct cli_config *out, struct buf *err)
{
	struct cfg c = {INI_INIT, NULL, NULL, err, 0};
	const struct ini_section *global;
	long long n;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (load_files(&c) < 0 || resolve_endpoint(&c, svc, args, out) < 0 ||
	    resolve_credentials(&c, args, out) < 0)
		goto out;
	global = ini_section(&c.ini, "global");
	resolve_tls(&c, args, out);
	out->max_retries = 2;
	if (ini_get(global, "max-retries") &&
	    cli_parse_int(ini_get(global, "max-retries"), &n) == 0 && n >= 0 &&
	    n < 10)
		out->max_retries = (int)n;
	out->timeout = 30;
	if (ini_get(global, "timeout") &&
	    cli_parse_int(ini_get(global, "timeout"), &n) == 0 && n > 0)
		out->timeout = (long)n;
	rc = c.failed ? -1 : 0;
out:
	if (rc < 0)
		cli_config_free(out);
	ini_free(&c.ini);
	free(c.user);
	free(c.region);
	return rc;
}

void
cli_config_free(struct cli_config *c)
{
	free(c->url);
	free(c->region);
	free(c->akid);
	if (c->secret)
		memset(c->secret, 0, strlen(c->secret));
	free(c->secret);
	free(c->token);
	free(c->ca_bundle);
	free(c->client_cert);
	free(c->client_key);
	memset(c, 0, sizeof *c);
}
