/*
 * An argparse-compatible command-line parser driven by option rows. The
 * same rows build the request parameters (opt_request) and the --help
 * text, so a command is described once.
 */
#ifndef EULB_CLI_OPT_H
#define EULB_CLI_OPT_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

/*
 * How an argument string becomes a value (the argparse "type"). Values
 * are jansson trees flattened into the request the way requestbuilder
 * does: arrays become Key.1, Key.2..., objects Key.Sub, null is sent as
 * "Key=" and empty strings and empty arrays are not sent.
 */
enum opt_type {
	OPT_STRING,    /* the string itself */
	OPT_FLAG,      /* no argument; true */
	OPT_INT,       /* Python int() */
	OPT_CHOICE,    /* one of .choices */
	OPT_LIST,      /* "a, b,,c": split on ',', trimmed, empties dropped */
	OPT_INT_LIST,  /* the same, each item an int */
	OPT_TAG,       /* KEY=VALUE, KEY= or KEY: {Key, Value (null: empty)} */
	OPT_LISTENER,  /* listener.h: {Protocol, LoadBalancerPort, ...} */
	OPT_HC_TARGET, /* PROTOCOL:PORT[/PATH], known protocols upper-cased */
	OPT_POLICY_ATTR, /* "name=N, value=V": one {AttributeName, ...} */
	OPT_ATTR_LIST,   /* "N=V,N=V": [{AttributeName, AttributeValue}...] */
	OPT_ATTR_FILE,   /* a file (or -) of N=V lines, as OPT_ATTR_LIST */
	OPT_KEY_VALUE,   /* "A.B=V": {"A.B": V} */
	OPT_FILE,        /* a file's contents (or stdin's for "-"), as is */
	OPT_HELP,        /* prints the help and exits 0 */
	OPT_VERSION,     /* prints the version and exits 0 */
};

/* Row flags. */
#define OPT_REQUIRED 0x01 /* must be given (for a group: one member must) */
#define OPT_APPEND 0x02   /* repeatable; each value appended to an array */
#define OPT_EXTEND 0x04   /* repeatable; arrays concatenated, objects merged */
#define OPT_HIDDEN 0x08   /* accepted, left out of usage and help */
#define OPT_EMPTY_BARE 0x10 /* an empty list is sent as "<Name>=" */

/*
 * One option or positional. A row with neither longopt nor metavar ends a
 * table. Positionals have no shortopt/longopt; with OPT_APPEND they take
 * any number of values (one or more if OPT_REQUIRED).
 */
struct cli_opt {
	char shortopt;       /* 'l' for -l, or 0 */
	const char *longopt; /* "listener" for --listener, or NULL */
	const char *metavar; /* shown in usage; NULL for flags */
	enum opt_type type;
	/* Request parameter ("Listeners.member"), or NULL when client side. */
	const char *param;
	unsigned flags;
	int group;           /* mutually exclusive group number, 0 for none */
	const char *choices; /* OPT_CHOICE: ','-separated */
	/* Each item becomes {subkey: item}: Instances.member.N.InstanceId. */
	const char *subkey;
	const char *help;
};

#define OPT_END                                                                \
	{                                                                      \
		0, NULL, NULL, OPT_STRING, NULL, 0, 0, NULL, NULL, NULL        \
	}

static inline int
opt_row_end(const struct cli_opt *o)
{
	return !o->shortopt && !o->longopt && !o->metavar;
}

static inline int
opt_row_positional(const struct cli_opt *o)
{
	return !o->shortopt && !o->longopt;
}

/* The parsed command line: one slot per row of the merged table. */
struct opt_result {
	const struct cli_opt **rows;
	json_t **values; /* NULL where the option was not given */
	size_t n;
};

enum opt_status {
	OPT_OK,
	OPT_EXIT_OK,    /* --help or --version printed */
	OPT_EXIT_USAGE, /* usage and error printed; exit 2 */
	OPT_EXIT_FAIL,  /* error printed; exit 1 */
};

struct opt_parser {
	const char *prog; /* "eulb-create-lb" */
	const char *description;
	/* Tables merged in this order; NULL-terminated. Each has a title
	 * for --help ("positional arguments" are gathered first). */
	const struct cli_opt *const *tables;
	const char *const *titles;
	const char *version; /* printed by --version, on stderr */
};

/*
 * Parses argv[0..argc) (without the program name). On OPT_OK, *res holds
 * the values; free it with opt_result_free() in every case.
 */
enum opt_status opt_parse(const struct opt_parser *p, int argc,
                          char *const *argv, struct opt_result *res);
void opt_result_free(struct opt_result *res);

/* The value of the row with this long option (or positional metavar). */
json_t *opt_get(const struct opt_result *res, const char *name);
const char *opt_get_str(const struct opt_result *res, const char *name);
int opt_get_flag(const struct opt_result *res, const char *name);

/* Adds the request parameters of every row with a param to params. */
void opt_request(const struct opt_result *res, json_t *params);

/*
 * The usage block as Python 2.7's argparse prints it, wrapped at
 * opt_columns() (opt_usage.c), and the --help text (opt_help.c).
 */
void opt_usage(const struct opt_parser *p, struct buf *out);
void opt_help(const struct opt_parser *p, struct buf *out);
/* argparse's text width: $COLUMNS (or 80) minus 2. */
long opt_columns(void);
/* "-l/--listener" or "ELB": how argparse names an argument in errors. */
void opt_name(const struct cli_opt *o, struct buf *out);

/*
 * Converts one argument string for row o (opt_types.c). Returns the value,
 * or NULL with the message in err; *usage tells whether it is a usage
 * error ("argument X: " is then prefixed by the caller) or a plain one.
 */
/*
 * order[0..n) = the indices of keys (added in that order, no duplicates)
 * as Python 2.7 iterates a dict of them (opt_pydict.c).
 */
void opt_py2_dict_order(const char *const *keys, size_t n, size_t *order);

/* Python 2's repr() of a str: 'x', "it's", with \n, \t and \xNN escapes. */
void opt_repr(struct buf *out, const char *s);

json_t *opt_convert(const struct cli_opt *o, const char *arg, struct buf *err,
                    int *usage);

#endif
