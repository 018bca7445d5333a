/*
 * eulb-describe-lb-policies and eulb-describe-lb-policy-types: POLICY and
 * POLICY_TYPE lines, with the attributes as a 4th field under --show-long
 * (reference/euca2ools-cli.md 4.4, 4.5).
 */
#include "cli.h"
#include "output.h"

/*
 * {name=N,value=V},... as the Python tool formats it: a missing element
 * is "None", an empty one "{}", and a PEM value is written raw, newlines
 * and all (out_field_lines). No attributes at all give an empty field.
 */
static void
policy_attributes(struct buf *b, json_t *policy)
{
	size_t i;
	json_t *a;
	json_array_foreach(
	    json_object_get(policy, "PolicyAttributeDescriptions"), i, a)
	{
		buf_puts(b, i ? ",{name=" : "{name=");
		out_value_or_none(b, json_object_get(a, "AttributeName"));
		buf_puts(b, ",value=");
		out_value_or_none(b, json_object_get(a, "AttributeValue"));
		buf_putc(b, '}');
	}
}

int
print_policies(const struct cli_print_ctx *ctx, json_t *result)
{
	int show_long = opt_get_flag(ctx->args, "show-long");
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(result, "PolicyDescriptions"), i, p)
	{
		struct out_line l = OUT_LINE_INIT;
		out_field(&l, "POLICY");
		out_field_json(&l, json_object_get(p, "PolicyName"));
		out_field_json(&l, json_object_get(p, "PolicyTypeName"));
		if (show_long) {
			struct buf b = BUF_INIT;
			policy_attributes(&b, p);
			out_field_lines(&l, &b);
		}
		out_print(&l, ctx->show_empty);
	}
	return 0;
}

/* Printed names and response elements, in the tool's fixed order. */
static const struct {
	const char *name;
	const char *key;
} type_attribute_keys[] = {
    {"name", "AttributeName"},      {"description", "Description"},
    {"type", "AttributeType"},      {"default-value", "DefaultValue"},
    {"cardinality", "Cardinality"},
};

/* Here a missing or empty element prints as nothing after the '='. */
static void
type_attributes(struct buf *b, json_t *type)
{
	size_t i;
	json_t *a;
	json_array_foreach(
	    json_object_get(type, "PolicyAttributeTypeDescriptions"), i, a)
	{
		buf_puts(b, i ? ",{" : "{");
		for (size_t k = 0; k < sizeof type_attribute_keys /
		                           sizeof *type_attribute_keys;
		     k++) {
			json_t *v =
			    json_object_get(a, type_attribute_keys[k].key);
			buf_printf(b, "%s%s=", k ? "," : "",
			           type_attribute_keys[k].name);
			if (!out_empty(v))
				out_value(b, v);
		}
		buf_putc(b, '}');
	}
}

int
print_policy_types(const struct cli_print_ctx *ctx, json_t *result)
{
	int show_long = opt_get_flag(ctx->args, "show-long");
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(result, "PolicyTypeDescriptions"), i,
	                   t)
	{
		struct out_line l = OUT_LINE_INIT;
		out_field(&l, "POLICY_TYPE");
		out_field_json(&l, json_object_get(t, "PolicyTypeName"));
		out_field_json(&l, json_object_get(t, "Description"));
		if (show_long) {
			struct buf b = BUF_INIT;
			type_attributes(&b, t);
			out_field_buf(&l, &b);
		}
		out_print(&l, ctx->show_empty);
	}
	return 0;
}
