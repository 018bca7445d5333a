/*
 * Typed access to request parameters. Names are printf formats so list
 * members read naturally: param_get(rq, "Listeners.member.%u.Protocol", n).
 * Functions that can fail set the AWS error on rq and return -1.
 */
#ifndef EULB_PARAMS_H
#define EULB_PARAMS_H

#include "request.h"

/* The value, or NULL when absent. */
const char *param_get(struct request *rq, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Like param_get, but absent or empty is MissingParameter naming it. */
int param_require(struct request *rq, const char **out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A decimal integer in [min, max]: 0 and *out set, 1 if absent, -1 on a
 * malformed or out-of-range value (ValidationError naming the parameter). */
int param_int(struct request *rq, long *out, long min, long max,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Member numbers of the list "<name>.member.N[...]", ascending, in *idx
 * (malloc'd). Returns the count, 0 for an absent or empty ("Name=") list,
 * -1 for a malformed member number. */
int param_list(struct request *rq, const char *name, unsigned **idx);
/* The value of "<list>.member.<n>" of a list of strings, or NULL with
 * the AWS error set when that member is missing, empty or was given as a
 * structure ("<list>.member.<n>.Field"). */
const char *param_member(struct request *rq, const char *list, unsigned n);
/* Whether the list is present at all (as members or as "Name="). */
int param_list_present(struct request *rq, const char *name);

#endif
