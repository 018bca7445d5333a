#include "ini.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "util.h"

static struct ini_section *
section_get(struct ini *ini, const char *name, size_t len)
{
	for (size_t i = 0; i < ini->n; i++)
		if (strlen(ini->v[i].name) == len &&
		    memcmp(ini->v[i].name, name, len) == 0)
			return &ini->v[i];
	ini->v = xrealloc(ini->v, (ini->n + 1) * sizeof *ini->v);
	struct ini_section *s = &ini->v[ini->n++];
	s->name = xstrndup(name, len);
	s->opts = NULL;
	s->nopts = 0;
	return s;
}

static struct ini_option *
option_set(struct ini_section *s, char *name, char *value)
{
	for (size_t i = 0; i < s->nopts; i++) {
		if (strcmp(s->opts[i].name, name) == 0) {
			free(name);
			free(s->opts[i].value);
			s->opts[i].value = value;
			return &s->opts[i];
		}
	}
	s->opts = xrealloc(s->opts, (s->nopts + 1) * sizeof *s->opts);
	s->opts[s->nopts].name = name;
	s->opts[s->nopts].value = value;
	return &s->opts[s->nopts++];
}

/* "name = value" / "name: value"; NULL when the line is not an option. */
static struct ini_option *
parse_option(struct ini_section *s, const char *line)
{
	if (!*line || strchr(":=", *line) || isspace((unsigned char)*line))
		return NULL;
	size_t nlen = strcspn(line, ":=");
	if (!line[nlen])
		return NULL;
	const char *value = line + nlen + 1;
	/* Python 2 cuts at the first ';' when a blank precedes it. */
	const char *semi = strchr(value, ';');
	size_t vlen = semi && semi > value && isspace((unsigned char)semi[-1])
	                  ? (size_t)(semi - value)
	                  : strlen(value);
	char *name = cli_strip(line, nlen);
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	char *v = cli_strip(value, vlen);
	if (strcmp(v, "\"\"") == 0)
		v[0] = '\0';
	return option_set(s, name, v);
}

static int
is_comment(const char *line)
{
	const char *p = line;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *line == '#' || *line == ';')
		return 1;
	/* ConfigParser also skips "rem" lines. */
	return (*line == 'r' || *line == 'R') &&
	       strncasecmp(line, "rem", 3) == 0 &&
	       (!line[3] || isspace((unsigned char)line[3]));
}

static int
parse_line(struct ini *ini, struct ini_section **cur, struct ini_option **opt,
           const char *line, const char **why)
{
	if (is_comment(line))
		return 0;
	if (isspace((unsigned char)*line) && *cur && *opt) {
		char *more = cli_strip(line, strlen(line));
		if (*more) {
			struct buf v = BUF_INIT;
			buf_printf(&v, "%s\n%s", (*opt)->value, more);
			free((*opt)->value);
			(*opt)->value = buf_steal(&v);
		}
		free(more);
		return 0;
	}
	if (*line == '[' && strchr(line, ']') && strchr(line, ']') > line + 1) {
		*cur = section_get(ini, line + 1,
		                   (size_t)(strchr(line, ']') - line - 1));
		*opt = NULL;
		return 0;
	}
	if (!*cur) {
		*why = "file contains no section headers";
		return -1;
	}
	if (!(*opt = parse_option(*cur, line))) {
		*why = "not a section header, option or comment";
		return -1;
	}
	return 0;
}

int
ini_load(struct ini *ini, const char *path, struct buf *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0; /* ConfigParser.read() skips unreadable files */
	struct ini_section *cur = NULL;
	struct ini_option *opt = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		const char *why = NULL;
		if (parse_line(ini, &cur, &opt, line, &why) < 0) {
			buf_printf(err, "%s:%d: %s", path, lineno, why);
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

const struct ini_section *
ini_section(const struct ini *ini, const char *name)
{
	for (size_t i = 0; i < ini->n; i++)
		if (strcmp(ini->v[i].name, name) == 0)
			return &ini->v[i];
	return NULL;
}

const char *
ini_get(const struct ini_section *s, const char *option)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->nopts; i++)
		if (strcmp(s->opts[i].name, option) == 0)
			return s->opts[i].value;
	return NULL;
}

void
ini_free(struct ini *ini)
{
	for (size_t i = 0; i < ini->n; i++) {
		for (size_t j = 0; j < ini->v[i].nopts; j++) {
			free(ini->v[i].opts[j].name);
			free(ini->v[i].opts[j].value);
		}
		free(ini->v[i].opts);
		free(ini->v[i].name);
	}
	free(ini->v);
	ini->v = NULL;
	ini->n = 0;
}
