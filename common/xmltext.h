/*
 * Text that must survive XML 1.0 and JSON: strict UTF-8 (no overlongs, no
 * surrogates) whose characters XML 1.0 allows (#x9, #xA, #xD, #x20-#xD7FF,
 * #xE000-#xFFFD, #x10000-#x10FFFF; https://www.w3.org/TR/xml/#charsets),
 * less DEL, which no API value needs.
 */
#ifndef EULB_XMLTEXT_H
#define EULB_XMLTEXT_H

#include <stddef.h>

#include "buf.h"

/* 1 if all of s is such text; else 0 and *bad_at (if not NULL) is the
 * byte offset of the first offending character. */
int xmltext_valid(const char *s, size_t *bad_at);
/* Characters in s, which xmltext_valid accepts (a byte starts one unless
 * it is a UTF-8 continuation byte, top bits 10). */
size_t xmltext_chars(const char *s);
/* The length of s, or, past max bytes, of its longest start of at most
 * max bytes that ends with a whole character. */
size_t xmltext_cut(const char *s, size_t max);
/* Appends s to b with every offending byte replaced by '?': for text that
 * echoes what a client sent (methods, header values) into a response. */
void xmltext_sanitize(struct buf *b, const char *s);

#endif
