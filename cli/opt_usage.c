/*
 * The "usage: PROG ..." block, laid out exactly as Python 2.7's argparse
 * HelpFormatter lays it out (argparse.py, _format_usage and
 * _format_actions_usage), since euca2ools 3.4.1 runs on it: the same
 * parts, the same clean-up of group brackets, the same split of the text
 * into wrappable parts (a "(...)" or "[...]" group, else a run without
 * blanks, so a metavar holding blanks wraps inside), and the same greedy
 * wrap at COLUMNS - 2 (80 - 2 by default).
 */
#include "opt.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "usage: "

struct parts {
	char **v;
	size_t n;
};

long
opt_columns(void)
{
	const char *s = getenv("COLUMNS");
	char *end;
	long w;

	/* Python's int(): blanks around the digits allowed, nothing else. */
	if (!s)
		return 80 - 2;
	errno = 0;
	w = strtol(s, &end, 10);
	while (end != s && isspace((unsigned char)*end))
		end++;
	if (end == s || *end || errno)
		w = 80;
	return w - 2;
}

static void
parts_add(struct parts *p, const char *s, size_t len)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	p->v[p->n++] = xstrndup(s, len);
}

static void
parts_free(struct parts *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* _format_args: "ELB", "[ELB]", "ELB [ELB ...]" or "[ELB [ELB ...]]". */
static void
positional_part(const struct cli_opt *o, struct buf *out)
{
	int many = (o->flags & (OPT_APPEND | OPT_EXTEND)) != 0;
	int req = (o->flags & OPT_REQUIRED) != 0;

	if (many && req)
		buf_printf(out, "%s [%s ...]", o->metavar, o->metavar);
	else if (many)
		buf_printf(out, "[%s [%s ...]]", o->metavar, o->metavar);
	else if (req)
		buf_puts(out, o->metavar);
	else
		buf_printf(out, "[%s]", o->metavar);
}

/* "-l METAVAR" (the first option string), bracketed when optional. */
static void
option_part(const struct cli_opt *o, struct buf *out)
{
	int brackets = !(o->flags & OPT_REQUIRED) && !o->group;
	if (brackets)
		buf_putc(out, '[');
	if (o->shortopt)
		buf_printf(out, "-%c", o->shortopt);
	else
		buf_printf(out, "--%s", o->longopt);
	if (o->metavar)
		buf_printf(out, " %s", o->metavar);
	if (brackets)
		buf_putc(out, ']');
}

/* Rows of one kind, in table order, hidden ones left out. */
static size_t
collect_rows(const struct opt_parser *p, int positional,
             const struct cli_opt ***rows)
{
	size_t n = 0;
	*rows = NULL;
	for (size_t t = 0; p->tables[t]; t++)
		for (const struct cli_opt *o = p->tables[t]; !opt_row_end(o);
		     o++) {
			if ((o->flags & OPT_HIDDEN) ||
			    opt_row_positional(o) != positional)
				continue;
			*rows = xrealloc(*rows, (n + 1) * sizeof **rows);
			(*rows)[n++] = o;
		}
	return n;
}

/*
 * The parts joined by blanks, with a group's opening bracket before its
 * first member and "|" between members (groups are contiguous rows; the
 * command table check holds them so).
 */
static void
join_actions(const struct cli_opt **rows, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct cli_opt *o = rows[i];
		int first =
		    o->group && (i == 0 || rows[i - 1]->group != o->group);
		int last =
		    o->group && (i + 1 == n || rows[i + 1]->group != o->group);
		if (out->len)
			buf_putc(out, ' ');
		if (first)
			buf_puts(out, (o->flags & OPT_REQUIRED) ? "( " : "[ ");
		else if (o->group)
			buf_puts(out, "| ");
		if (opt_row_positional(o))
			positional_part(o, out);
		else
			option_part(o, out);
		if (last)
			buf_puts(out, (o->flags & OPT_REQUIRED) ? " )" : " ]");
	}
}

static int
is_open(char c)
{
	return c == '[' || c == '(';
}

static int
is_close(char c)
{
	return c == ']' || c == ')';
}

/* re.sub(r'([\[(]) ', r'\1'): no blank after "[" or "(". */
static void
no_blank_after_open(const char *in, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		buf_putc(out, in[i]);
		if (is_open(in[i]) && i + 1 < len && in[i + 1] == ' ')
			i++;
	}
}

/* re.sub(r' ([\])])', r'\1'): no blank before "]" or ")". */
static void
no_blank_before_close(const char *in, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++)
		if (!(in[i] == ' ' && i + 1 < len && is_close(in[i + 1])))
			buf_putc(out, in[i]);
}

/* re.sub(r'[\[(] *[\])]', r''): no empty brackets. */
static void
no_empty_brackets(const char *in, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		size_t j = i + 1;
		while (is_open(in[i]) && j < len && in[j] == ' ')
			j++;
		if (is_open(in[i]) && j < len && is_close(in[j]))
			i = j;
		else
			buf_putc(out, in[i]);
	}
}

/* re.sub(r'\(([^|]*)\)', r'\1'): "(...)" without "|" loses its "()". */
static void
unwrap_plain_parens(const char *in, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		size_t bar = i + 1, close = 0;
		if (in[i] != '(') {
			buf_putc(out, in[i]);
			continue;
		}
		while (bar < len && in[bar] != '|')
			bar++;
		for (size_t j = i + 1; j < bar; j++)
			if (in[j] == ')')
				close = j;
		if (!close) {
			buf_putc(out, '(');
			continue;
		}
		buf_append(out, in + i + 1, close - i - 1);
		i = close;
	}
}

/* argparse's clean-up of the joined parts, in its order, then strip(). */
static char *
clean_up(const char *text)
{
	void (*const pass[])(const char *, size_t, struct buf *) = {
	    no_blank_after_open, no_blank_before_close, no_empty_brackets,
	    unwrap_plain_parens};
	char *cur = xstrdup(text);

	for (size_t k = 0; k < sizeof pass / sizeof *pass; k++) {
		struct buf next = BUF_INIT;
		pass[k](cur, strlen(cur), &next);
		free(cur);
		cur = xstrdup(buf_str(&next));
		buf_free(&next);
	}
	const char *s = cur;
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	char *ret = xstrndup(s, n);
	free(cur);
	return ret;
}

static char *
format_actions(const struct opt_parser *p, int positional)
{
	const struct cli_opt **rows;
	size_t n = collect_rows(p, positional, &rows);
	struct buf b = BUF_INIT;

	join_actions(rows, n, &b);
	char *text = clean_up(buf_str(&b));
	buf_free(&b);
	free(rows);
	return text;
}

/* End of the part at s, argparse's r'\(.*?\)+|\[.*?\]+|\S+'. */
static size_t
part_len(const char *s)
{
	if (*s == '(' || *s == '[') {
		const char *close = strchr(s, *s == '(' ? ')' : ']');
		if (close) {
			while (close[1] == *close)
				close++;
			return (size_t)(close - s) + 1;
		}
	}
	return strcspn(s, " \t\n\r\f\v");
}

static void
split_parts(const char *text, struct parts *out)
{
	while (*text) {
		if (isspace((unsigned char)*text)) {
			text++;
			continue;
		}
		size_t len = part_len(text);
		parts_add(out, text, len);
		text += len;
	}
}

/*
 * get_lines(): greedy wrap; a part always goes on an empty line. The
 * first line of a prefixed run starts after "usage: " instead of indent.
 */
static void
get_lines(const struct parts *p, size_t from, long indent, int prefixed,
          long width, struct buf *out)
{
	long line_len = (prefixed ? (long)strlen(PREFIX) : indent) - 1;
	int empty = 1;

	if (!prefixed && from < p->n)
		buf_printf(out, "\n%*s", (int)indent, "");
	for (size_t i = from; i < p->n; i++) {
		long len = (long)strlen(p->v[i]);
		if (line_len + 1 + len > width && !empty) {
			buf_printf(out, "\n%*s", (int)indent, "");
			line_len = indent - 1;
			empty = 1;
		}
		if (!empty)
			buf_putc(out, ' ');
		buf_puts(out, p->v[i]);
		line_len += len + 1;
		empty = 0;
	}
}

/* PROG then the options; the positionals on lines of their own, all
 * under the first option. op starts with PROG. */
static void
wrap_after_prog(struct parts *op, const struct parts *pp, long indent,
                long width, struct buf *out)
{
	if (op->n > 1) {
		get_lines(op, 0, indent, 1, width, out);
		get_lines(pp, 0, indent, 0, width, out);
		return;
	}
	for (size_t i = 0; i < pp->n; i++)
		parts_add(op, pp->v[i], strlen(pp->v[i]));
	get_lines(op, 0, indent, 1, width, out);
}

/* PROG alone on the first line; the rest under "usage: ", on one line if
 * it fits, else the options and then the positionals. */
static void
wrap_under_prefix(const struct parts *op, const struct parts *pp, long indent,
                  long width, struct buf *out)
{
	struct buf probe = BUF_INIT;
	struct parts all = {NULL, 0};

	for (size_t i = 1; i < op->n; i++)
		parts_add(&all, op->v[i], strlen(op->v[i]));
	for (size_t i = 0; i < pp->n; i++)
		parts_add(&all, pp->v[i], strlen(pp->v[i]));
	buf_puts(out, op->v[0]);
	get_lines(&all, 0, indent, 0, width, &probe);
	if (!strchr(buf_str(&probe) + (probe.len ? 1 : 0), '\n')) {
		buf_puts(out, buf_str(&probe));
	} else {
		get_lines(op, 1, indent, 0, width, out);
		get_lines(pp, 0, indent, 0, width, out);
	}
	buf_free(&probe);
	parts_free(&all);
}

void
opt_usage(const struct opt_parser *p, struct buf *out)
{
	char *opts = format_actions(p, 0), *pos = format_actions(p, 1);
	long width = opt_columns();
	long prog_len = (long)strlen(p->prog), plen = (long)strlen(PREFIX);
	long total = plen + prog_len + (*opts ? 1 + (long)strlen(opts) : 0) +
	             (*pos ? 1 + (long)strlen(pos) : 0);
	struct parts op = {NULL, 0}, pp = {NULL, 0};

	buf_puts(out, PREFIX);
	if (total <= width) {
		buf_puts(out, p->prog);
		if (*opts)
			buf_printf(out, " %s", opts);
		if (*pos)
			buf_printf(out, " %s", pos);
	} else {
		parts_add(&op, p->prog, (size_t)prog_len);
		split_parts(opts, &op);
		split_parts(pos, &pp);
		/* argparse: len(prefix) + len(prog) <= 0.75 * text_width */
		if (4 * (plen + prog_len) <= 3 * width)
			wrap_after_prog(&op, &pp, plen + prog_len + 1, width,
			                out);
		else
			wrap_under_prefix(&op, &pp, plen, width, out);
	}
	buf_putc(out, '\n');
	parts_free(&op);
	parts_free(&pp);
	free(opts);
	free(pos);
}
