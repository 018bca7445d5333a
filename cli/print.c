/*
 * Printers of the eulb commands other than describe-lbs and the policy
 * ones: single lines, list lines, INSTANCE lines, attributes and tags
 * (reference/euca2ools-cli.md 1.3, 4.10-4.12 and 5).
 */
#include "cli.h"
#include "output.h"

#include <stdlib.h>
#include <string.h>

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

/* "LABEL<TAB>a<sep>b": the response's list joined into one field. */
static int
joined_line(const struct cli_print_ctx *ctx, json_t *result, const char *label,
            const char *key, const char *sep)
{
	struct out_line l = OUT_LINE_INIT;
	struct buf b = BUF_INIT;
	size_t i;
	json_t *item;

	json_array_foreach(json_object_get(result, key), i, item)
	{
		if (i)
			buf_puts(&b, sep);
		out_value(&b, item);
	}
	out_field(&l, label);
	out_field_buf(&l, &b);
	out_print(&l, ctx->show_empty);
	return 0;
}

/* The joiners differ, as in euca2ools: ", " except for detach. */
int
print_security_groups(const struct cli_print_ctx *ctx, json_t *result)
{
	return joined_line(ctx, result, "SECURITY_GROUPS", "SecurityGroups",
	                   ", ");
}

int
print_subnets_attached(const struct cli_print_ctx *ctx, json_t *result)
{
	return joined_line(ctx, result, "SUBNETS", "Subnets", ", ");
}

int
print_subnets_detached(const struct cli_print_ctx *ctx, json_t *result)
{
	return joined_line(ctx, result, "SUBNETS", "Subnets", ",");
}

int
print_zones(const struct cli_print_ctx *ctx, json_t *result)
{
	return joined_line(ctx, result, "AVAILABILITY_ZONES",
	                   "AvailabilityZones", ", ");
}

/* Every instance the response lists: all registered ones, not the asked. */
int
print_instances(const struct cli_print_ctx *ctx, json_t *result)
{
	size_t i;
	json_t *inst;
	json_array_foreach(json_object_get(result, "Instances"), i, inst)
	{
		struct out_line l = OUT_LINE_INIT;
		out_field(&l, "INSTANCE");
		out_field_json(&l, json_object_get(inst, "InstanceId"));
		out_print(&l, ctx->show_empty);
	}
	return 0;
}

int
print_instance_health(const struct cli_print_ctx *ctx, json_t *result)
{
	int show_long = opt_get_flag(ctx->args, "show-long");
	size_t i;
	json_t *st;
	json_array_foreach(json_object_get(result, "InstanceStates"), i, st)
	{
		struct out_line l = OUT_LINE_INIT;
		out_field(&l, "INSTANCE");
		out_field_json(&l, json_object_get(st, "InstanceId"));
		out_field_json(&l, json_object_get(st, "State"));
		if (show_long) {
			out_field_json(&l, json_object_get(st, "Description"));
			out_field_json(&l, json_object_get(st, "ReasonCode"));
		}
		out_print(&l, ctx->show_empty);
	}
	return 0;
}

struct attr_line {
	char *path; /* "ConnectionDraining.Timeout" */
	json_t *value;
};

struct attr_lines {
	struct attr_line *v;
	size_t n;
};

static void
attr_add(struct attr_lines *out, const struct buf *path, json_t *value)
{
	out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
	out->v[out->n].path = xstrdup(buf_str(path));
	out->v[out->n++].value = value;
}

/*
 * Every leaf under v with its dotted path, as euca2ools 3.4.1's flatten()
 * sees the XML answer: requestbuilder parses it with no list tags, so a
 * list <X><member>...</member>...</X> is {"member": <the last member>}
 * (AdditionalAttributes gives "AdditionalAttributes.member.Key" and
 * ".member.Value" lines), and an element without text or children (an
 * empty string, list or object) is {} and gives no line.
 */
static void
attr_flatten(json_t *v, struct buf *path, struct attr_lines *out)
{
	size_t mark = path->len;
	const char *key;
	json_t *item;

	if (json_is_object(v)) {
		json_object_foreach(v, key, item)
		{
			buf_printf(path, "%s%s", mark ? "." : "", key);
			attr_flatten(item, path, out);
			path->data[path->len = mark] = '\0';
		}
	} else if (json_is_array(v)) {
		size_t n = json_array_size(v);
		if (n == 0)
			return;
		buf_printf(path, "%smember", mark ? "." : "");
		attr_flatten(json_array_get(v, n - 1), path, out);
		path->data[path->len = mark] = '\0';
	} else if (!json_is_null(v) &&
	           !(json_is_string(v) && !*json_string_value(v))) {
		attr_add(out, path, v);
	}
}

static int
attr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct attr_line *)a)->path,
	              ((const struct attr_line *)b)->path);
}

/* One "Path<TAB>value" line per leaf, sorted by path. */
int
print_lb_attributes(const struct cli_print_ctx *ctx, json_t *result)
{
	struct attr_lines lines = {NULL, 0};
	struct buf path = BUF_INIT;

	json_t *attrs = json_object_get(result, "LoadBalancerAttributes");
	if (json_is_object(attrs))
		attr_flatten(attrs, &path, &lines);
	if (lines.n)
		qsort(lines.v, lines.n, sizeof *lines.v, attr_cmp);
	for (size_t i = 0; i < lines.n; i++) {
		struct out_line l = OUT_LINE_INIT;
		out_field(&l, lines.v[i].path);
		out_field_json(&l, lines.v[i].value);
		out_print(&l, ctx->show_empty);
		free(lines.v[i].path);
	}
	free(lines.v);
	buf_free(&path);
	return 0;
}

/* euca2ools' table output without prettytable: TAB-joined rows. */
int
print_tags(const struct cli_print_ctx *ctx, json_t *result)
{
	static const char *const headers[] = {"TAG", "TYPE", "NAME", "KEY",
	                                      "VALUE"};
	size_t i, j;
	json_t *desc, *tag;

	if (opt_get_flag(ctx->args, "show-headers")) {
		struct out_line l = OUT_LINE_INIT;
		for (i = 0; i < sizeof headers / sizeof *headers; i++)
			out_field(&l, headers[i]);
		out_print(&l, ctx->show_empty);
	}
	json_array_foreach(json_object_get(result, "TagDescriptions"), i, desc)
	{
		json_t *lb = json_object_get(desc, "LoadBalancerName");
		json_array_foreach(json_object_get(desc, "Tags"), j, tag)
		{
			struct out_line l = OUT_LINE_INIT;
			out_field(&l, "TAG");
			out_field(&l, "load-balancer");
			out_field_json(&l, lb);
			out_field_json(&l, json_object_get(tag, "Key"));
			out_field_json(&l, json_object_get(tag, "Value"));
			out_print(&l, ctx->show_empty);
		}
	}
	return 0;
}
