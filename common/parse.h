/* Numbers from flags, parameters and documents. */
#ifndef EULB_PARSE_H
#define EULB_PARSE_H

/* A decimal number, as strtol(3) reads it, that fills all of s (not
 * empty, nothing after it, no overflow) and lies in [min, max]: 0 with
 * *out set, or -1. Callers say what was wrong in their own words. */
int parse_number(const char *s, long min, long max, long *out);

#endif
