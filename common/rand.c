#include "rand.h"

#include <openssl/rand.h>
#include <string.h>

int
rand_chars(char *out, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet);
	/* Rejection sampling keeps every character equally likely. */
	unsigned limit = 256 - 256 % (unsigned)k;
	for (size_t i = 0; i < n;) {
		unsigned char r[64];
		if (RAND_bytes(r, sizeof r) != 1)
			return -1;
		for (size_t j = 0; j < sizeof r && i < n; j++)
			if (r[j] < limit)
				out[i++] = alphabet[r[j] % k];
	}
	out[n] = '\0';
	return 0;
}
