/* Usage line and --help text, laid out like argparse's HelpFormatter. */
#include "opt.h"

#include <stdlib.h>
#include <string.h>

#define HELP_POSITION 24

struct parts {
	char **v;
	size_t n;
};

static size_t
text_width(void)
{
	const char *cols = getenv("COLUMNS");
	long w = cols ? strtol(cols, NULL, 10) : 0;
	if (w <= 0)
		w = 80;
	return w > 30 ? (size_t)w - 2 : 28;
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

/* "-l METAVAR" (short form preferred) or "ELB [ELB ...]". */
static void
usage_part(const struct cli_opt *o, struct buf *out)
{
	if (opt_row_positional(o)) {
		if (o->flags & (OPT_APPEND | OPT_EXTEND))
			buf_printf(out, "%s [%s ...]", o->metavar, o->metavar);
		else
			buf_puts(out, o->metavar);
		return;
	}
	if (o->shortopt)
		buf_printf(out, "-%c", o->shortopt);
	else
		buf_printf(out, "--%s", o->longopt);
	if (o->metavar)
		buf_printf(out, " %s", o->metavar);
}

static void
parts_add(struct parts *p, struct buf *b)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	p->v[p->n++] = buf_steal(b);
}

static void
parts_free(struct parts *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

/* A mutually exclusive group, rendered where its first member stands. */
static void
group_part(const struct opt_parser *p, const struct cli_opt *first,
           struct buf *b)
{
	int req = (first->flags & OPT_REQUIRED) != 0;
	int n = 0;
	buf_putc(b, req ? '(' : '[');
	for (size_t t = 0; p->tables[t]; t++) {
		for (const struct cli_opt *o = p->tables[t]; !opt_row_end(o);
		     o++) {
			if (o->group != first->group || (o->flags & OPT_HIDDEN))
				continue;
			if (n++)
				buf_puts(b, " | ");
			usage_part(o, b);
		}
	}
	buf_putc(b, req ? ')' : ']');
}

static int
group_seen(const struct opt_parser *p, const struct cli_opt *upto)
{
	for (size_t t = 0; p->tables[t]; t++)
		for (const struct cli_opt *o = p->tables[t]; !opt_row_end(o);
		     o++) {
			if (o == upto)
				return 0;
			if (o->group == upto->group)
				return 1;
		}
	return 0;
}

static void
collect_parts(const struct opt_parser *p, int positional, struct parts *out)
{
	struct buf b = BUF_INIT;
	for (size_t t = 0; p->tables[t]; t++) {
		for (const struct cli_opt *o = p->tables[t]; !opt_row_end(o);
		     o++) {
			if ((o->flags & OPT_HIDDEN) ||
			    opt_row_positional(o) != positional)
				continue;
			if (o->group) {
				if (!group_seen(p, o)) {
					group_part(p, o, &b);
					parts_add(out, &b);
				}
				continue;
			}
			int brackets = !(o->flags & OPT_REQUIRED);
			if (brackets)
				buf_putc(&b, '[');
			usage_part(o, &b);
			if (brackets)
				buf_putc(&b, ']');
			parts_add(out, &b);
		}
	}
	buf_free(&b);
}

/* Greedy wrap of parts; col is where the cursor stands now. */
static void
wrap_parts(const struct parts *p, size_t col, size_t indent, size_t width,
           struct buf *out)
{
	int line_empty = col == indent;
	for (size_t i = 0; i < p->n; i++) {
		size_t len = strlen(p->v[i]);
		if (!line_empty && col + 1 + len > width) {
			buf_printf(out, "\n%*s", (int)indent, "");
			col = indent;
			line_empty = 1;
		}
		if (!line_empty) {
			buf_putc(out, ' ');
			col++;
		}
		buf_puts(out, p->v[i]);
		col += len;
		line_empty = 0;
	}
}

void
opt_usage(const struct opt_parser *p, struct buf *out)
{
	struct parts opts = {NULL, 0}, pos = {NULL, 0};
	size_t width = text_width();
	collect_parts(p, 0, &opts);
	collect_parts(p, 1, &pos);

	size_t total = strlen("usage: ") + strlen(p->prog);
	for (size_t i = 0; i < opts.n; i++)
		total += 1 + strlen(opts.v[i]);
	for (size_t i = 0; i < pos.n; i++)
		total += 1 + strlen(pos.v[i]);

	buf_printf(out, "usage: %s", p->prog);
	size_t indent = strlen("usage: ") + strlen(p->prog) + 1;
	if (total <= width) {
		for (size_t i = 0; i < opts.n; i++)
			buf_printf(out, " %s", opts.v[i]);
		for (size_t i = 0; i < pos.n; i++)
			buf_printf(out, " %s", pos.v[i]);
	} else {
		size_t col = indent - 1;
		if (indent > width * 3 / 4) {
			indent = col = strlen("usage: ");
			buf_printf(out, "\n%*s", (int)indent, "");
		}
		wrap_parts(&opts, col, indent, width, out);
		if (pos.n) {
			buf_printf(out, "\n%*s", (int)indent, "");
			wrap_parts(&pos, indent, indent, width, out);
		}
	}
	buf_putc(out, '\n');
	parts_free(&opts);
	parts_free(&pos);
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
