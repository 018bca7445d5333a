#include "config.h"

#include <stdlib.h>
#include <string.h>

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
