#include "params.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static const char *param_vget(struct request *rq, char *name, size_t size,
                              const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static const char *
param_vget(struct request *rq, char *name, size_t size, const char *fmt,
           va_list ap)
{
	vsnprintf(name, size, fmt, ap);
	return form_get(&rq->params, name);
}

const char *
param_get(struct request *rq, const char *fmt, ...)
{
	char name[256];
	va_list ap;
	va_start(ap, fmt);
	const char *v = param_vget(rq, name, sizeof name, fmt, ap);
	va_end(ap);
	return v;
}

int
param_require(struct request *rq, const char **out, const char *fmt, ...)
{
	char name[256];
	va_list ap;
	va_start(ap, fmt);
	const char *v = param_vget(rq, name, sizeof name, fmt, ap);
	va_end(ap);
	if (!v || !*v)
		return resp_error(rq, ERR_MISSING_PARAMETER,
		                  "The request must contain the parameter %s",
		                  name);
	*out = v;
	return 0;
}

int
param_int(struct request *rq, long *out, long min, long max, const char *fmt,
          ...)
{
	char name[256];
	va_list ap;
	va_start(ap, fmt);
	const char *v = param_vget(rq, name, sizeof name, fmt, ap);
	va_end(ap);
	if (!v)
		return 1;
	long n;
	if ((*v != '-' && (*v < '0' || *v > '9')) ||
	    parse_number(v, LONG_MIN, LONG_MAX, &n) < 0)
		return resp_error(rq, ERR_VALIDATION,
		                  "%s must be an integer, not '%s'", name, v);
	if (n < min || n > max)
		return resp_error(rq, ERR_VALIDATION,
		                  "%s must be between %ld and %ld, not %ld",
		                  name, min, max, n);
	*out = n;
	return 0;
}

int
param_list(struct request *rq, const char *name, unsigned **idx)
{
	char prefix[256];
	snprintf(prefix, sizeof prefix, "%s", name);
	int n = form_member_indexes(&rq->params, prefix, idx);
	if (n < 0)
		return resp_error(rq, ERR_VALIDATION,
		                  "%s has a malformed member number; use "
		                  "%s.member.N with N from 1",
		                  name, name);
	return n;
}

int
param_list_present(struct request *rq, const char *name)
{
	if (form_get(&rq->params, name))
		return 1;
	unsigned *idx = NULL;
	int n = form_member_indexes(&rq->params, name, &idx);
	free(idx);
	return n != 0;
}

const char *
param_member(struct request *rq, const char *list, unsigned n)
{
	const char *v = param_get(rq, "%s.member.%u", list, n);
	if (!v || !*v)
		resp_error(rq, ERR_VALIDATION,
		           "%s.member.%u must be a non-empty value: %s is a "
		           "list of values, not of structures",
		           list, n, list);
	return v && *v ? v : NULL;
}
