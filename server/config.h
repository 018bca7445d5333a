/* eulbd's run-time configuration, fixed at start-up. */
#ifndef EULB_CONFIG_H
#define EULB_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_RESTRICTED 64
#define CONFIG_MAX_REGIONS 16

struct server_config {
	const char *listen;
	const char *db_path;
	const char *master_key; /* NULL: master.key beside the database */
	/* The regions served, the home region first (--region, repeatable
	 * or comma-separated); region is the home region's name. Each has
	 * its CanonicalHostedZoneNameID, stable for region and DNS domain. */
	const char *region;
	struct {
		char name[64];
		char hosted_zone_id[16];
	} regions[CONFIG_MAX_REGIONS];
	size_t nregions;
	/* Also accept euca2ools' unconfigured "undefined-<pid>" scope (as the
	 * home region). */
	int accept_undefined_region;
	const char *dns_domain;
	const char *default_ssl_policy;
	/* HTTPS on the API: server certificate and key; client certificates
	 * must chain to client_ca (verified up to client_ca_root if given). */
	const char *tls_cert;
	const char *tls_key;
	const char *client_ca;
	const char *client_ca_root;
	/* Inclusive port ranges clients may not use as load-balancer ports. */
	struct {
		int lo, hi;
	} restricted[CONFIG_MAX_RESTRICTED];
	size_t nrestricted;
	size_t max_body;
	unsigned threads;
	unsigned connection_timeout;
	unsigned max_connections;
	unsigned max_connections_per_ip; /* 0: no per-address limit */
	char system_account_id[13]; /* owner of the source security groups */
	/* Account limits, enforced and reported by DescribeAccountLimits. */
	long max_load_balancers; /* per account */
	long max_listeners;      /* per load balancer */
	long max_registered;     /* registered instances per account */
	/* Limits AWS applies without publishing a name for them: enforced,
	 * not reported by DescribeAccountLimits. */
	long max_policies; /* per load balancer */
	long max_zones;    /* zones or subnets per load balancer */
	/* IAM's quota, not ELB's: DescribeAccountLimits does not report it. */
	long max_server_certificates; /* per account */
	/* What one describe may render: a page of DescribeLoadBalancers
	 * ends early (with a NextMarker) rather than grow past it. */
	size_t max_response;
	/* What queued answers may hold at once (0 until main derives it:
	 * 64 answers of max_response); see http_hold. */
	size_t max_response_memory;
};

/* What eulbd runs with when no flag says otherwise. */
void config_defaults(struct server_config *c);
/* Parses "22", "22,25", "1-1023,8080" into c->restricted. -1 on error. */
int config_parse_ports(struct server_config *c, const char *list);
/* Adds the regions of a comma-separated list. -1 if a name is empty,
 * too long, or not letters, digits and '-', or there are too many. */
int config_add_regions(struct server_config *c, const char *list);
/* Fills what is derived from the flags: the home region if none was
 * given, and each region's hosted_zone_id. */
void config_derive(struct server_config *c);
/* The served region of that name, or -1. */
int config_region_index(const struct server_config *c, const char *name);
int config_port_restricted(const struct server_config *c, long port);

#endif
