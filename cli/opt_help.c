/* --help text, laid out like argparse's HelpFormatter (usage: opt_usage.c). */
#include "opt.h"

#include <stdlib.h>
#include <string.h>

#define HELP_POSITION 24

/* argparse's width, kept wide enough to lay out a help row. */
static size_t
text_width(void)
{
	long w = opt_columns();
	return w > 28 ? (size_t)w : 28;
}

void
opt_name(const struct cli_opt *o, struct buf *out)
{
	if (opt_row_positional(o)) {
		buf_puts(out, o->metavar);
		return;
	}
	if (o->shortopt)
		buf_printf(out, "-%c", o->shortopt);
	if (o->shortopt && o->longopt)
		buf_putc(out, '/');
	if (o->longopt)
		buf_printf(out, "--%s", o->longopt);
}

/* Appends text re-flowed to width, every line indented by indent. */
static void
wrap_text(const char *text, size_t indent, size_t width, size_t first_col,
          struct buf *out)
{
	size_t col = first_col;
	const char *p = text;
	int first = 1;
	for (;;) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t len = strcspn(p, " \n\t");
		if (!first && col + 1 + len > width) {
			buf_printf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (!first) {
			buf_putc(out, ' ');
			col++;
		}
		buf_append(out, p, len);
		col += len;
		p += len;
		first = 0;
	}
}

static void
help_row(const struct cli_opt *o, size_t width, struct buf *out)
{
	struct buf inv = BUF_INIT;
	if (opt_row_positional(o)) {
		buf_puts(&inv, o->metavar);
	} else {
		if (o->shortopt)
			buf_printf(&inv, "-%c%s%s", o->shortopt,
			           o->metavar ? " " : "",
			           o->metavar ? o->metavar : "");
		if (o->shortopt && o->longopt)
			buf_puts(&inv, ", ");
		if (o->longopt)
			buf_printf(&inv, "--%s%s%s", o->longopt,
			           o->metavar ? " " : "",
			           o->metavar ? o->metavar : "");
	}
	buf_printf(out, "  %s", buf_str(&inv));
	size_t col = 2 + inv.len;
	if (o->help && *o->help) {
		if (col + 2 <= HELP_POSITION) {
			buf_printf(out, "%*s", (int)(HELP_POSITION - col), "");
		} else {
			buf_printf(out, "\n%*s", HELP_POSITION, "");
		}
		wrap_text(o->help, HELP_POSITION, width, HELP_POSITION, out);
	}
	buf_putc(out, '\n');
	buf_free(&inv);
}

static void
help_section(const struct opt_parser *p, const char *title, int positional,
             struct buf *out)
{
	size_t width = text_width();
	int any = 0;
	for (size_t t = 0; p->tables[t]; t++) {
		if (!positional && strcmp(p->titles[t], title) != 0)
			continue;
		for (const struct cli_opt *o = p->tables[t]; !opt_row_end(o);
		     o++) {
			if ((o->flags & OPT_HIDDEN) ||
			    opt_row_positional(o) != positional)
				continue;
			if (!any++)
				buf_printf(out, "\n%s:\n", title);
			help_row(o, width, out);
		}
	}
}

void
opt_help(const struct opt_parser *p, struct buf *out)
{
	size_t width = text_width();
	opt_usage(p, out);
	if (p->description) {
		/* Paragraphs are separated by blank lines, as in euca2ools. */
		const char *d = p->description;
		while (*d) {
			const char *end = strstr(d, "\n\n");
			size_t len = end ? (size_t)(end - d) : strlen(d);
			char *para = xstrndup(d, len);
			buf_putc(out, '\n');
			wrap_text(para, 0, width, 0, out);
			buf_putc(out, '\n');
			free(para);
			d += len;
			while (*d == '\n')
				d++;
		}
	}
	help_section(p, "positional arguments", 1, out);
	for (size_t t = 0; p->tables[t]; t++) {
		int dup = 0;
		for (size_t u = 0; u < t; u++)
			dup |= strcmp(p->titles[u], p->titles[t]) == 0;
		if (!dup)
			help_section(p, p->titles[t], 0, out);
	}
}
