/* Printers of the commands that answer with one line. */
#include "cli.h"
#include "output.h"

int
print_dns_name(const struct cli_print_ctx *ctx, json_t *result)
{
	struct out_line l = OUT_LINE_INIT;
	out_field(&l, "DNS_NAME");
	out_field_json(&l, json_object_get(result, "DNSName"));
	out_print(&l, ctx->show_empty);
	return 0;
}

/* The values come from the response, not from the request. */
int
print_health_check(const struct cli_print_ctx *ctx, json_t *result)
{
	static const char *const keys[] = {
	    "Target",           "Interval",           "Timeout",
	    "HealthyThreshold", "UnhealthyThreshold",
	};
	json_t *check = json_object_get(result, "HealthCheck");
	struct out_line l = OUT_LINE_INIT;
	out_field(&l, "HEALTH_CHECK");
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		out_field_json(&l, json_object_get(check, keys[i]));
	out_print(&l, ctx->show_empty);
	return 0;
}
