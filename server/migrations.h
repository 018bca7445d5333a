/* The schema/NNNN-*.sql files, embedded at build time (embed_schema.cmake). */
#ifndef EULB_MIGRATIONS_H
#define EULB_MIGRATIONS_H

#include <stddef.h>

struct migration {
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const size_t migration_count;

#endif
