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

void out_field(struct out_line *l, const char *s);
/* out_value of v, or an empty field when out_empty(v). */
void out_field_json(struct out_line *l, json_t *v);
/* Takes b's contents (an empty buffer gives an empty field). */
void out_field_buf(struct out_line *l, struct buf *b);
/* Writes the line to stdout and frees its fields. */
void out_print(struct out_line *l, int show_empty);

#endif
