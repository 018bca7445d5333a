/* eulb-servo: JSON accessors, files and small helpers. */
#ifndef EULB_SERVO_UTIL_H
#define EULB_SERVO_UTIL_H

#include <jansson.h>

/* JSON accessors (numbers may arrive as strings). */
const char *sj_str(const json_t *o, const char *key);
int sj_int(const json_t *o, const char *key, long *out);
int sj_true(const json_t *o, const char *key);
/* The PolicyDescriptions member named name, or NULL. */
const json_t *servo_policy(const json_t *lb, const char *name);
/* The first value of attribute attr of a policy, or NULL. */
const char *servo_policy_attr(const json_t *policy, const char *attr);
/* The policy of that type among the names in a PolicyNames array. */
const json_t *servo_policy_of_type(const json_t *lb, const json_t *names,
                                   const char *type);
/* First 16 hex digits of the SHA-256 of s. */
void servo_short_hash(const char *s, char out[17]);
/* Reads a whole file; NULL if it can't. */
char *servo_read_file(const char *path);
int servo_mkdir(const char *path);
/* Safe to put into haproxy.cfg as one word: [A-Za-z0-9._:-]+ and the like */
int servo_word_ok(const char *s, const char *extra);
/* malloc'd "dir/name" */
char *servo_path(const char *dir, const char *name);
/* Monotonic milliseconds. */
long long servo_now_ms(void);

#endif
