/*
 * INI files as Python 2's ConfigParser reads them (euca2ools config):
 * "[section]" headers, "name = value" or "name: value" options with the
 * name lower-cased, '#'/';' comment lines, " ;" inline comments,
 * indented continuation lines. Later files override earlier ones.
 */
#ifndef EULB_CLI_INI_H
#define EULB_CLI_INI_H

#include <stddef.h>

#include "buf.h"

struct ini_option {
	char *name;
	char *value;
};

struct ini_section {
	char *name; /* "region cfgregion", "global", ... */
	struct ini_option *opts;
	size_t nopts;
};

struct ini {
	struct ini_section *v;
	size_t n;
};

#define INI_INIT                                                               \
	{                                                                      \
		NULL, 0                                                        \
	}

/* Merges the file into ini. Returns 0, or -1 with err naming file:line. */
int ini_load(struct ini *ini, const char *path, struct buf *err);
const struct ini_section *ini_section(const struct ini *ini, const char *name);
const char *ini_get(const struct ini_section *s, const char *option);
void ini_free(struct ini *ini);

#endif
