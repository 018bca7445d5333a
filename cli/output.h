/*
 * requestbuilder's tabify: one line per record, fields joined by a TAB,
 * an empty field kept as "" (or "(nil)" with --show-empty-fields) so the
 * column count is fixed.
 */
#ifndef EULB_CLI_OUTPUT_H
#define EULB_CLI_OUTPUT_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

struct out_line {
	char **fields; /* NULL entries are empty fields */
	size_t n;
};

#define OUT_LINE_INIT                                                          \
	{                                                                      \
		NULL, 0                                                        \
	}

/*
 * Whether v counts as empty the way the Python tools test the parsed XML:
 * absent, null, "", {} and [] are empty; numbers (even 0) and booleans
 * are not, since in XML they were non-empty text.
 */
int out_empty(json_t *v);
/* The text of a scalar: strings raw, integers without ".0", booleans
 * as true/false; null as "". */
void out_value(struct buf *b, json_t *v);
/* As the Python tools' str.format(): a missing or null element is "None". */
void out_value_or_none(struct buf *b, json_t *v);

/*
 * Server text must not drive the terminal (an ESC sequence in a load
 * balancer name could retitle the window, hide text or forge output), so
 * out_sanitize appends s[0..len) to b with '?' for each C0 control but
 * the kept ones, DEL, C1 character (U+0080-U+009F, e.g. U+009B, CSI) and
 * byte that is not valid UTF-8 (a lone 0x9B is CSI in a Latin-1
 * terminal). '?' rather than nothing, so that "ad\x1bmin" does not read
 * as "admin" and the user sees that something was there.
 */
#define OUT_KEEP_TAB 0x1
#define OUT_KEEP_NL 0x2
void out_sanitize(struct buf *b, const char *s, size_t len, unsigned keep);

/*
 * Every field goes through out_sanitize: TAB separates fields and newline
 * ends the record, so a field keeps neither (out_field_lines excepted).
 */
void out_field(struct out_line *l, const char *s);
/* out_value of v, or an empty field when out_empty(v). */
void out_field_json(struct out_line *l, json_t *v);
/* Takes b's contents (an empty buffer gives an empty field). */
void out_field_buf(struct out_line *l, struct buf *b);
/* As out_field_buf, but newlines stay: euca2ools prints a PEM policy
 * attribute value raw, newlines and all, and so do we. */
void out_field_lines(struct out_line *l, struct buf *b);
/* Writes the line to stdout and frees its fields. */
void out_print(struct out_line *l, int show_empty);

#endif
