#include "parse.h"

#include <errno.h>
#include <stdlib.h>

int
parse_number(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
