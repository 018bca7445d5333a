/*
 * The euare-servercert* printers: bare lines, not TAB records, as
 * euca2ools prints them (a missing element prints "None").
 */
#include "cli.h"
#include "output.h"

/* A one-field line, so that out_print neutralises it like the others. */
static void
print_line(json_t *v)
{
	struct out_line l = OUT_LINE_INIT;
	struct buf b = BUF_INIT;
	out_value_or_none(&b, v);
	out_field_buf(&l, &b);
	out_print(&l, 0);
}

/* euare-servercertgetattributes: the ARN, then the ServerCertificateId. */
int
print_cert_attributes(const struct cli_print_ctx *ctx, json_t *result)
{
	json_t *md =
	    json_object_get(json_object_get(result, "ServerCertificate"),
	                    "ServerCertificateMetadata");
	print_line(json_object_get(md, "Arn"));
	print_line(json_object_get(md, "ServerCertificateId"));
	return 0;
}

/* euare-servercertlistbypath: one ARN per line. */
int
print_cert_arns(const struct cli_print_ctx *ctx, json_t *result)
{
	size_t i;
	json_t *md;
	json_array_foreach(
	    json_object_get(result, "ServerCertificateMetadataList"), i, md)
	    print_line(json_object_get(md, "Arn"));
	return 0;
}
