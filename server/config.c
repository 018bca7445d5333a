#include "config.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
config_defaults(struct server_config *c)
{
	*c = (struct server_config){
	    .listen = "127.0.0.1:8773",
	    .db_path = "var/eulb.db",
	    .region = "eucalyptus",
	    .dns_domain = "localhost",
	    .default_ssl_policy = "ELBSecurityPolicy-2016-08",
	    .max_body = 1 << 20,
	    .threads = 2,
	    .connection_timeout = 30,
	    .max_connections = 1000,
	    .max_load_balancers = 20,
	    .max_listeners = 100,
	    .max_registered = 1000,
	    /* AWS publishes neither number. */
	    .max_policies = 100,
	    .max_zones = 20,
	    /* IAM's "server certificates stored in IAM per account". */
	    .max_server_certificates = 20,
	    /* Above the largest load balancer the limits above allow
	     * (about 3 MB, README), so one always fits a page. */
	    .max_response = 4 << 20,
	};
	config_parse_ports(c, "22");
}

static int
config_parse_port(const char *s, const char *end, int *out)
{
	if (s == end || end - s > 5)
		return -1;
	int v = 0;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

int
config_parse_ports(struct server_config *c, const char *list)
{
	c->nrestricted = 0;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		const char *end = p + n, *dash = memchr(p, '-', n);
		int lo, hi;
		if (c->nrestricted == CONFIG_MAX_RESTRICTED ||
		    config_parse_port(p, dash ? dash : end, &lo) < 0 ||
		    config_parse_port(dash ? dash + 1 : p, end, &hi) < 0 ||
		    lo > hi)
			return -1;
		c->restricted[c->nrestricted].lo = lo;
		c->restricted[c->nrestricted].hi = hi;
		c->nrestricted++;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int
config_port_restricted(const struct server_config *c, long port)
{
	for (size_t i = 0; i < c->nrestricted; i++)
		if (port >= c->restricted[i].lo && port <= c->restricted[i].hi)
			return 1;
	return 0;
}

int
config_add_regions(struct server_config *c, const char *list)
{
	for (const char *p = list;;) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= sizeof c->regions[0].name ||
		    strspn(p, "abcdefghijklmnopqrstuvwxyz"
		              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") < n ||
		    c->nregions == CONFIG_MAX_REGIONS)
			return -1;
		snprintf(c->regions[c->nregions++].name,
		         sizeof c->regions[0].name, "%.*s", (int)n, p);
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

int
config_region_index(const struct server_config *c, const char *name)
{
	for (size_t i = 0; i < c->nregions; i++)
		if (strcmp(c->regions[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Route 53 zone ids are "Z" and 13 upper-case letters and digits; ours
 * is drawn from the region and domain, so it never changes for them. */
static void
config_zone_id(const char *region, const char *domain, char out[16])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	char seed[512];
	unsigned char h[SHA256_DIGEST_LENGTH];
	int n = snprintf(seed, sizeof seed, "%s/%s", region, domain);
	SHA256((const unsigned char *)seed,
	       n < 0                     ? 0
	       : (size_t)n < sizeof seed ? (size_t)n
	                                 : sizeof seed - 1,
	       h);
	out[0] = 'Z';
	for (int i = 0; i < 13; i++)
		out[i + 1] = alphabet[h[i] & 31];
	out[14] = '\0';
}

void
config_derive(struct server_config *c)
{
	if (c->nregions == 0 && config_add_regions(c, c->region) < 0)
		c->nregions = 0;
	c->region = c->regions[0].name;
	for (size_t i = 0; i < c->nregions; i++)
		config_zone_id(c->regions[i].name, c->dns_domain,
		               c->regions[i].hosted_zone_id);
}
