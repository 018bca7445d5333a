/*
 * The parser proper. It follows Python 2.7's argparse, which euca2ools
 * 3.4.1 runs on:
 * options and positionals mixed, "--opt=value", "-xVALUE", unique prefixes
 * of long options, "--" ending options, last value wins unless a row
 * appends, positionals taken a run at a time, usage errors as "usage:
 * ..." then "PROG: error: ..." in 2.7's words (exit 2).
 */
#include "opt.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pstate {
	const struct opt_parser *p;
	struct opt_result *res;
	struct buf extras; /* unrecognized arguments, ' '-joined */
	size_t nextras;    /* how many ("" is one) */
	size_t pos;        /* the positional row being filled */
	int after_option;  /* an option came since the last positional */
	struct buf err;
	enum opt_status fail;
};

static void
add_extra(struct pstate *st, const char *arg)
{
	buf_printf(&st->extras, "%s%s", st->nextras++ ? " " : "", arg);
}

static void
merge_tables(const struct opt_parser *p, struct opt_result *res)
{
	size_t n = 0;
	for (size_t t = 0; p->tables[t]; t++)
		for (const struct cli_opt *o = p->tables[t]; !opt_row_end(o);
		     o++)
			n++;
	res->rows = xcalloc(n, sizeof *res->rows);
	res->values = xcalloc(n, sizeof *res->values);
	res->n = 0;
	for (size_t t = 0; p->tables[t]; t++)
		for (const struct cli_opt *o = p->tables[t]; !opt_row_end(o);
		     o++)
			res->rows[res->n++] = o;
}

/* argparse's negative-number rule: "-5" and "-.5" are positionals. */
static int
looks_negative(const char *s)
{
	const char *p = s + 1;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	} else if (p == s + 1) {
		return 0;
	}
	return *p == '\0';
}

static int
row_matches(const struct cli_opt *o, const char *name, size_t len)
{
	if (len == 2 && name[0] == '-' && name[1] == o->shortopt && o->shortopt)
		return 1;
	return len > 2 && name[0] == '-' && name[1] == '-' && o->longopt &&
	       strlen(o->longopt) == len - 2 &&
	       memcmp(o->longopt, name + 2, len - 2) == 0;
}

static void fail_usage(struct pstate *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail_usage(struct pstate *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&st->err, fmt, ap);
	va_end(ap);
	st->fail = OPT_EXIT_USAGE;
}

static long
find_exact(const struct opt_result *res, const char *name, size_t len)
{
	for (size_t i = 0; i < res->n; i++)
		if (row_matches(res->rows[i], name, len))
			return (long)i;
	return -1;
}

/*
 * "--name, --other": the long options starting with prefix, in the order
 * argparse 2.7 names them, its option-string dict's (every row's "-x"
 * then "--long", in table order, as the parser adds them).
 */
static void
list_candidates(const struct opt_result *res, const char *prefix, size_t len,
                struct buf *out)
{
	const char **keys = xcalloc(2 * res->n + 1, sizeof *keys);
	size_t *order = xcalloc(2 * res->n + 1, sizeof *order);
	char(*shorts)[3] = xcalloc(res->n + 1, sizeof *shorts);
	struct buf *longs = xcalloc(res->n + 1, sizeof *longs);
	size_t n = 0, listed = 0;

	for (size_t i = 0; i < res->n; i++) {
		const struct cli_opt *o = res->rows[i];
		if (o->shortopt) {
			shorts[i][0] = '-';
			shorts[i][1] = o->shortopt;
			keys[n++] = shorts[i];
		}
		if (o->longopt) {
			buf_printf(&longs[i], "--%s", o->longopt);
			keys[n++] = buf_str(&longs[i]);
		}
	}
	opt_py2_dict_order(keys, n, order);
	for (size_t k = 0; k < n; k++) {
		const char *key = keys[order[k]];
		if (strncmp(key, "--", 2) == 0 &&
		    strncmp(key + 2, prefix, len) == 0)
			buf_printf(out, "%s%s", listed++ ? ", " : "", key);
	}
	for (size_t i = 0; i < res->n; i++)
		buf_free(&longs[i]);
	free(longs);
	free(shorts);
	free(order);
	free(keys);
}

/*
 * Resolves an option string to a row as argparse does: exact, then
 * "--name=value", then unique long prefix or "-xVALUE". Returns the row,
 * -1 when unknown, -2 when ambiguous (the candidates then go to amb);
 * *explicit is the attached value.
 */
static long
match_option(const struct opt_result *res, const char *arg,
             const char **explicit, struct buf *amb)
{
	const char *eq = strchr(arg, '=');
	long r, found = -1;
	int count = 0;

	*explicit = NULL;
	if ((r = find_exact(res, arg, strlen(arg))) >= 0)
		return r;
	if (eq && (r = find_exact(res, arg, (size_t)(eq - arg))) >= 0) {
		*explicit = eq + 1;
		return r;
	}
	if (arg[1] != '-') {
		if ((r = find_exact(res, arg, 2)) >= 0)
			*explicit = arg + 2;
		return r;
	}
	size_t len = eq ? (size_t)(eq - arg) - 2 : strlen(arg) - 2;
	for (size_t i = 0; i < res->n; i++) {
		const char *name = res->rows[i]->longopt;
		if (!name || strncmp(name, arg + 2, len) != 0)
			continue;
		found = (long)i;
		count++;
	}
	if (count > 1) {
		if (amb)
			list_candidates(res, arg + 2, len, amb);
		return -2;
	}
	if (count == 1 && eq)
		*explicit = eq + 1;
	return found;
}

/*
 * Whether argparse takes arg for an option: anything that names one, and
 * otherwise "-x..." unless it looks like a negative number or has a blank.
 */
static int
looks_like_option(const struct opt_result *res, const char *arg)
{
	const char *explicit;
	if (arg[0] != '-' || !arg[1])
		return 0;
	if (match_option(res, arg, &explicit, NULL) != -1)
		return 1;
	return !looks_negative(arg) && !strchr(arg, ' ');
}

static void
store_value(struct opt_result *res, size_t i, json_t *v)
{
	const struct cli_opt *o = res->rows[i];
	json_t *cur = res->values[i];

	if (o->flags & OPT_APPEND) {
		if (!cur)
			cur = res->values[i] = json_array();
		json_array_append_new(cur, v);
	} else if ((o->flags & OPT_EXTEND) && cur && json_is_array(cur)) {
		json_array_extend(cur, v);
		json_decref(v);
	} else if ((o->flags & OPT_EXTEND) && cur && json_is_object(cur)) {
		json_object_update(cur, v);
		json_decref(v);
	} else {
		json_decref(cur);
		res->values[i] = v;
	}
}

static int
check_conflict(struct pstate *st, size_t i)
{
	const struct cli_opt *o = st->res->rows[i];
	if (!o->group)
		return 0;
	for (size_t j = 0; j < st->res->n; j++) {
		const struct cli_opt *other = st->res->rows[j];
		if (j == i || other->group != o->group || !st->res->values[j])
			continue;
		struct buf a = BUF_INIT, b = BUF_INIT;
		opt_name(o, &a);
		opt_name(other, &b);
		fail_usage(st, "argument %s: not allowed with argument %s",
		           buf_str(&a), buf_str(&b));
		buf_free(&a);
		buf_free(&b);
		return -1;
	}
	return 0;
}

static int
take_value(struct pstate *st, size_t i, const char *arg)
{
	const struct cli_opt *o = st->res->rows[i];
	struct buf msg = BUF_INIT;
	int usage = 1;
	json_t *v = opt_convert(o, arg, &msg, &usage);

	if (!v) {
		if (usage) {
			struct buf name = BUF_INIT;
			opt_name(o, &name);
			fail_usage(st, "argument %s: %s", buf_str(&name),
			           buf_str(&msg));
			buf_free(&name);
		} else {
			buf_puts(&st->err, buf_str(&msg));
			st->fail = OPT_EXIT_FAIL;
		}
		buf_free(&msg);
		return -1;
	}
	buf_free(&msg);
	if (check_conflict(st, i) < 0) {
		json_decref(v);
		return -1;
	}
	store_value(st->res, i, v);
	return 0;
}

static void
print_and_exit_ok(struct pstate *st, const char *text, FILE *to)
{
	fputs(text, to);
	st->fail = OPT_EXIT_OK;
}

/* Handles a row that takes no argument; "-hv" clusters continue here. */
static int
take_flag(struct pstate *st, size_t i)
{
	const struct cli_opt *o = st->res->rows[i];
	struct buf out = BUF_INIT;

	if (o->type == OPT_HELP) {
		opt_help(st->p, &out);
		print_and_exit_ok(st, buf_str(&out), stdout);
	} else if (o->type == OPT_VERSION) {
		/* Python 2.7's version action writes to stderr. */
		buf_printf(&out, "%s\n", st->p->version);
		print_and_exit_ok(st, buf_str(&out), stderr);
	} else if (check_conflict(st, i) == 0) {
		store_value(st->res, i, json_true());
	}
	buf_free(&out);
	return st->fail == OPT_OK ? 0 : -1;
}

static int
takes_no_value(const struct cli_opt *o)
{
	return o->type == OPT_FLAG || o->type == OPT_HELP ||
	       o->type == OPT_VERSION;
}

static void
fail_ignored(struct pstate *st, const struct cli_opt *o, const char *arg)
{
	struct buf name = BUF_INIT, quoted = BUF_INIT;
	opt_name(o, &name);
	opt_repr(&quoted, arg);
	fail_usage(st, "argument %s: ignored explicit argument %s",
	           buf_str(&name), buf_str(&quoted));
	buf_free(&name);
	buf_free(&quoted);
}

/* "argument -l/--listener: expected one argument" */
static void
fail_expected(struct pstate *st, const struct cli_opt *o)
{
	struct buf name = BUF_INIT;
	opt_name(o, &name);
	fail_usage(st, "argument %s: expected one argument", buf_str(&name));
	buf_free(&name);
}

/*
 * The value of row i at argv[k]: its explicit part, else argv[k + 1]
 * unless that looks like an option. Sets *used to the argv entries it
 * takes beyond k; NULL (and a usage error) when there is none.
 */
static const char *
option_value(struct pstate *st, size_t i, const char *explicit, int argc,
             char *const *argv, int k, int *used)
{
	*used = 0;
	if (explicit)
		return explicit;
	if (k + 1 >= argc || looks_like_option(st->res, argv[k + 1])) {
		fail_expected(st, st->res->rows[i]);
		return NULL;
	}
	*used = 1;
	return argv[k + 1];
}

/*
 * The rows of "-hUx" (row r and the explicit part after "-h"): flags as
 * long as letters follow, the last row perhaps taking the rest as its
 * value (*explicit is then that rest, or NULL). A letter it does not know
 * is an error charged to the flag before it. Returns the count, 0 then.
 */
static size_t
resolve_cluster(struct pstate *st, long r, const char **explicit, size_t *rows,
                size_t max)
{
	char name[3] = {'-', 0, 0};
	size_t n = 0;

	rows[n++] = (size_t)r;
	while (takes_no_value(st->res->rows[rows[n - 1]]) && *explicit &&
	       **explicit && n < max) {
		name[1] = **explicit;
		long next = find_exact(st->res, name, 2);
		if (next < 0) {
			fail_ignored(st, st->res->rows[rows[n - 1]], *explicit);
			return 0;
		}
		rows[n++] = (size_t)next;
		*explicit = (*explicit)[1] ? *explicit + 1 : NULL;
	}
	return n;
}

/*
 * An option at argv[k]; "-hv" and "-sUx" clusters too. As argparse does,
 * the whole cluster is resolved and the last option's value found before
 * any flag of it runs. Returns the extra argv entries used, or -1.
 * (Ambiguous prefixes were reported before: check_ambiguous.)
 */
static int
take_option(struct pstate *st, int argc, char *const *argv, int k)
{
	const char *arg = argv[k], *explicit, *value = NULL;
	long r = match_option(st->res, arg, &explicit, NULL);
	size_t rows[64], n;
	int used = 0;

	if (r == -1)
		add_extra(st, arg);
	if (r < 0)
		return r == -1 ? 0 : -1;
	if (takes_no_value(st->res->rows[r]) && explicit && arg[1] == '-') {
		fail_ignored(st, st->res->rows[r], explicit);
		return -1;
	}
	n = resolve_cluster(st, r, &explicit, rows, sizeof rows / sizeof *rows);
	if (n == 0)
		return -1;
	if (!takes_no_value(st->res->rows[rows[n - 1]])) {
		value = option_value(st, rows[n - 1], explicit, argc, argv, k,
		                     &used);
		if (!value)
			return -1;
	}
	for (size_t j = 0; j < n; j++) {
		if (value && j + 1 == n)
			return take_value(st, rows[j], value) < 0 ? -1 : used;
		if (take_flag(st, rows[j]) < 0)
			return -1;
	}
	return used;
}

/*
 * As argparse 2.7 consumes positionals, a run of them between options at
 * a time: a row filled in an earlier run takes no more ("describe-lbs a
 * --show-long b" leaves b unrecognized). Returns the first positional row
 * the current run may still fill, or res->n.
 */
static size_t
positional_row(struct pstate *st)
{
	struct opt_result *res = st->res;
	while (st->after_option && st->pos < res->n &&
	       !opt_row_positional(res->rows[st->pos]))
		st->pos++;
	if (st->after_option && st->pos < res->n && res->values[st->pos])
		st->pos++;
	st->after_option = 0;
	while (st->pos < res->n && !opt_row_positional(res->rows[st->pos]))
		st->pos++;
	return st->pos;
}

static int
take_positional(struct pstate *st, const char *arg)
{
	struct opt_result *res = st->res;
	for (positional_row(st); st->pos < res->n; st->pos++) {
		const struct cli_opt *o = res->rows[st->pos];
		if (!opt_row_positional(o))
			continue;
		if (res->values[st->pos] &&
		    !(o->flags & (OPT_APPEND | OPT_EXTEND)))
			continue;
		return take_value(st, st->pos, arg);
	}
	add_extra(st, arg);
	return 0;
}

/*
 * "--": argparse lets the positionals' patterns swallow it, so it goes
 * unremarked where a positional row is still to be filled (or is being
 * filled), and is unrecognized where none is.
 */
static void
take_dashdash(struct pstate *st)
{
	if (positional_row(st) == st->res->n)
		add_extra(st, "--");
}

/* 2.7 classifies every argument up to "--" first: an ambiguous option
 * is reported before anything else is looked at. */
static void
check_ambiguous(struct pstate *st, int argc, char *const *argv)
{
	for (int k = 0; k < argc && strcmp(argv[k], "--") != 0; k++) {
		const char *explicit;
		struct buf amb = BUF_INIT;
		if (argv[k][0] == '-' && argv[k][1] &&
		    match_option(st->res, argv[k], &explicit, &amb) == -2)
			fail_usage(st, "ambiguous option: %s could match %s",
			           argv[k], buf_str(&amb));
		buf_free(&amb);
		if (st->fail)
			return;
	}
}

/*
 * Python 2.7's order and words: a positional left unfilled is "too few
 * arguments"; then the first required option missing, in table order
 * (2.7 names one at a time); then the first required group with no
 * member given.
 */
static void
check_required(struct pstate *st)
{
	const struct opt_result *res = st->res;
	struct buf names = BUF_INIT;

	for (size_t i = 0; i < res->n; i++) {
		const struct cli_opt *o = res->rows[i];
		if (opt_row_positional(o) && (o->flags & OPT_REQUIRED) &&
		    !res->values[i]) {
			fail_usage(st, "too few arguments");
			return;
		}
	}
	for (size_t i = 0; i < res->n; i++) {
		const struct cli_opt *o = res->rows[i];
		if (!(o->flags & OPT_REQUIRED) || o->group || res->values[i])
			continue;
		opt_name(o, &names);
		fail_usage(st, "argument %s is required", buf_str(&names));
		buf_free(&names);
		return;
	}
	for (size_t i = 0; i < res->n && !st->fail; i++) {
		const struct cli_opt *o = res->rows[i];
		if (!(o->flags & OPT_REQUIRED) || !o->group)
			continue;
		int given = 0;
		buf_reset(&names);
		for (size_t j = 0; j < res->n; j++) {
			if (res->rows[j]->group != o->group)
				continue;
			given |= res->values[j] != NULL;
			if (res->rows[j]->flags & OPT_HIDDEN)
				continue;
			if (names.len)
				buf_putc(&names, ' ');
			opt_name(res->rows[j], &names);
		}
		if (!given)
			fail_usage(st, "one of the arguments %s is required",
			           buf_str(&names));
	}
	buf_free(&names);
}

static void
report(struct pstate *st)
{
	if (st->fail == OPT_EXIT_USAGE) {
		struct buf usage = BUF_INIT;
		opt_usage(st->p, &usage);
		fputs(buf_str(&usage), stderr);
		buf_free(&usage);
	}
	if (st->fail == OPT_EXIT_USAGE || st->fail == OPT_EXIT_FAIL)
		fprintf(stderr, "%s: error: %s\n", st->p->prog,
		        buf_str(&st->err));
}

enum opt_status
opt_parse(const struct opt_parser *p, int argc, char *const *argv,
          struct opt_result *res)
{
	struct pstate st = {p, res, BUF_INIT, 0, 0, 0, BUF_INIT, OPT_OK};
	int only_positionals = 0;

	merge_tables(p, res);
	check_ambiguous(&st, argc, argv);
	for (int k = 0; k < argc && st.fail == OPT_OK; k++) {
		if (!only_positionals && strcmp(argv[k], "--") == 0) {
			only_positionals = 1;
			take_dashdash(&st);
		} else if (!only_positionals &&
		           looks_like_option(res, argv[k])) {
			int used = take_option(&st, argc, argv, k);
			if (used > 0)
				k += used;
			st.after_option = 1;
		} else {
			take_positional(&st, argv[k]);
		}
	}
	if (st.fail == OPT_OK)
		check_required(&st);
	if (st.fail == OPT_OK && st.nextras)
		fail_usage(&st, "unrecognized arguments: %s",
		           buf_str(&st.extras));
	report(&st);
	buf_free(&st.extras);
	buf_free(&st.err);
	return st.fail;
}

void
opt_result_free(struct opt_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		json_decref(res->values[i]);
	free(res->values);
	free(res->rows);
	memset(res, 0, sizeof *res);
}

json_t *
opt_get(const struct opt_result *res, const char *name)
{
	for (size_t i = 0; i < res->n; i++) {
		const struct cli_opt *o = res->rows[i];
		const char *key = o->longopt ? o->longopt : o->metavar;
		if (key && strcmp(key, name) == 0)
			return res->values[i];
	}
	return NULL;
}

const char *
opt_get_str(const struct opt_result *res, const char *name)
{
	return json_string_value(opt_get(res, name));
}

int
opt_get_flag(const struct opt_result *res, const char *name)
{
	return json_is_true(opt_get(res, name));
}

/* Name of the bare parameter for OPT_EMPTY_BARE: "PolicyNames.member". */
static char *
bare_param(const char *param)
{
	const char *suffix = ".member";
	size_t len = strlen(param), slen = strlen(suffix);
	if (len > slen && strcmp(param + len - slen, suffix) == 0)
		len -= slen;
	return xstrndup(param, len);
}

void
opt_request(const struct opt_result *res, json_t *params)
{
	for (size_t i = 0; i < res->n; i++) {
		const struct cli_opt *o = res->rows[i];
		json_t *v = res->values[i];
		if (!o->param || !v)
			continue;
		if ((o->flags & OPT_EMPTY_BARE) && json_is_array(v) &&
		    json_array_size(v) == 0) {
			/* "-p ''" clears a policy list: "PolicyNames=". */
			char *bare = bare_param(o->param);
			json_object_set_new(params, bare, json_null());
			free(bare);
			continue;
		}
		json_t *cur = json_object_get(params, o->param);
		if (json_is_array(cur) && json_is_array(v))
			json_array_extend(cur, v);
		else if (json_is_object(cur) && json_is_object(v))
			json_object_update(cur, v);
		else
			json_object_set_new(params, o->param,
			                    json_deep_copy(v));
	}
}
