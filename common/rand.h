/* Random identifiers and secrets from OpenSSL's CSPRNG. */
#ifndef EULB_RAND_H
#define EULB_RAND_H

#include <stddef.h>

#define RAND_UPPER_DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define RAND_DIGITS "0123456789"

/* n characters drawn uniformly from alphabet, NUL-terminated (out holds
 * n + 1). 0, or -1 if the CSPRNG fails. */
int rand_chars(char *out, size_t n, const char *alphabet);

#endif
