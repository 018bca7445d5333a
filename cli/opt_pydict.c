/*
 * The order in which Python 2.7 iterates a dict of strings, for argparse
 * 2.7's "ambiguous option: --x could match --a, --b": it lists the
 * candidates as it walks its option-string dict, so their order is the
 * dict's slot order. This replays CPython 2.7's string hash (64-bit, no
 * hash randomisation, its default) and its dict (open addressing with
 * perturbation, 8 slots to start, grown to the next power of two above 4
 * times the keys when two thirds full), from Objects/stringobject.c and
 * Objects/dictobject.c as documented there.
 */
#include "opt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EMPTY SIZE_MAX
#define PERTURB_SHIFT 5

static int64_t
py2_string_hash(const char *s)
{
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)s;
	uint64_t x;

	if (len == 0)
		return 0;
	x = (uint64_t)*p << 7;
	for (size_t i = 0; i < len; i++)
		x = (1000003 * x) ^ p[i];
	x ^= (uint64_t)len;
	return (int64_t)x == -1 ? -2 : (int64_t)x;
}

/* Puts key k in the first free slot of its probe sequence. */
static void
place(size_t *slots, size_t mask, const int64_t *hash, size_t k)
{
	size_t i = (size_t)hash[k] & mask, perturb = (size_t)hash[k];
	while (slots[i & mask] != EMPTY) {
		i = (i << 2) + i + perturb + 1;
		perturb >>= PERTURB_SHIFT;
	}
	slots[i & mask] = k;
}

void
opt_py2_dict_order(const char *const *keys, size_t n, size_t *order)
{
	int64_t *hash = xcalloc(n ? n : 1, sizeof *hash);
	size_t size = 8, used = 0;
	size_t *slots = xcalloc(size, sizeof *slots);

	for (size_t i = 0; i < size; i++)
		slots[i] = EMPTY;
	for (size_t k = 0; k < n; k++) {
		hash[k] = py2_string_hash(keys[k]);
		place(slots, size - 1, hash, k);
		used++;
		if (used * 3 < size * 2)
			continue;
		/* dictresize(4 * used): re-placed in old slot order. */
		size_t newsize = 8, *old = slots, oldsize = size;
		while (newsize <= 4 * used)
			newsize <<= 1;
		slots = xcalloc(newsize, sizeof *slots);
		for (size_t i = 0; i < newsize; i++)
			slots[i] = EMPTY;
		for (size_t i = 0; i < oldsize; i++)
			if (old[i] != EMPTY)
				place(slots, newsize - 1, hash, old[i]);
		size = newsize;
		free(old);
	}
	for (size_t i = 0, j = 0; i < size; i++)
		if (slots[i] != EMPTY)
			order[j++] = slots[i];
	free(slots);
	free(hash);
}
