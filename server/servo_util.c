/* eulb-servo: JSON accessors, files and small helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "servo.h"
#include "sigv4.h"

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
	char *end;
	if (!s || !*s)
		return -1;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = n;
	return 0;
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

int
servo_write_file(const char *path, const char *data, size_t len)
{
	struct buf tmp = BUF_INIT;
	int fd = -1, rc = -1;
	buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
	fd =
	    open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("%s: %s", buf_str(&tmp), strerror(errno));
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_error("%s: %s", buf_str(&tmp), strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		log_error("%s: %s", buf_str(&tmp), strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(buf_str(&tmp), path) < 0) {
		log_error("rename to %s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(buf_str(&tmp));
	buf_free(&tmp);
	return rc;
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
