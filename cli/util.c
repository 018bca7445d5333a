#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>

#include "buf.h"

int
cli_parse_int(const char *s, long long *out)
{
	const char *p = s;
	while (isspace((unsigned char)*p))
		p++;
	const char *digits = p + (*p == '+' || *p == '-');
	if (!isdigit((unsigned char)*digits))
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(p, &end, 10);
	if (errno == ERANGE)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

char *
cli_strip(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

int
cli_strcaseeq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}
