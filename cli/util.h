/* Small string helpers shared by the CLI modules. */
#ifndef EULB_CLI_UTIL_H
#define EULB_CLI_UTIL_H

#include <stddef.h>

/* Python's int() on a str: blanks and a sign around decimal digits. */
int cli_parse_int(const char *s, long long *out);
/* Python's str.strip(): a malloc'd copy of s[0..len) without edge blanks. */
char *cli_strip(const char *s, size_t len);
int cli_strcaseeq(const char *a, const char *b);

#endif
