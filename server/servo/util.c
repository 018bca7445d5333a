/* eulb-servo: JSON accessors, files and small helpers. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "log.h"
#include "parse.h"
#include "sigv4.h"
#include "util.h"

const char *
sj_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int
sj_int(const json_t *o, const char *key, long *out)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v)) {
		*out = (long)json_integer_value(v);
		return 0;
	}
	const char *s = json_string_value(v);
	return s ? parse_number(s, LONG_MIN, LONG_MAX, out) : -1;
}

int
sj_true(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);
	return json_is_true(v) || (s && strcasecmp(s, "true") == 0);
}

const json_t *
servo_policy(const json_t *lb, const char *name)
{
	size_t i;
	json_t *p;
	if (!name)
		return NULL;
	json_array_foreach(json_object_get(lb, "PolicyDescriptions"), i, p)
	{
		const char *n = sj_str(p, "PolicyName");
		if (n && strcmp(n, name) == 0)
			return p;
	}
	return NULL;
}

const char *
servo_policy_attr(const json_t *policy, const char *attr)
{
	size_t i;
	json_t *a;
	json_array_foreach(
	    json_object_get(policy, "PolicyAttributeDescriptions"), i, a)
	{
		const char *n = sj_str(a, "AttributeName");
		if (n && strcmp(n, attr) == 0)
			return sj_str(a, "AttributeValue");
	}
	return NULL;
}

const json_t *
servo_policy_of_type(const json_t *lb, const json_t *names, const char *type)
{
	size_t i;
	json_t *n;
	json_array_foreach(names, i, n)
	{
		const json_t *p = servo_policy(lb, json_string_value(n));
		const char *t = sj_str(p, "PolicyTypeName");
		if (t && strcmp(t, type) == 0)
			return p;
	}
	return NULL;
}

void
servo_short_hash(const char *s, char out[17])
{
	char hex[65];
	sigv4_sha256_hex(s, strlen(s), hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

char *
servo_read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	buf_append(&b, "", 0);
	if (!b.data)
		return xstrdup("");
	return buf_steal(&b);
}

int
servo_mkdir(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		log_error("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
servo_word_ok(const char *s, const char *extra)
{
	if (!s || !*s)
		return 0;
	for (const char *p = s; *p; p++) {
		char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
			continue;
		if (extra && strchr(extra, c))
			continue;
		return 0;
	}
	return 1;
}

char *
servo_path(const char *dir, const char *name)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s/%s", dir, name);
	return buf_steal(&b);
}

long long
servo_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
