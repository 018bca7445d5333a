/*
 * What HAProxy sees, as DescribeInstanceHealth says it: `show stat` rows
 * of our backends, per registered instance, become InService or
 * OutOfService with HAProxy's reason. An instance that back-end
 * authentication failed closed carries the probe's reason instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend_auth.h"
#include "buf.h"
#include "render.h"
#include "report.h"
#include "util.h"

#define DESC_FAILED                                                            \
	"Instance has failed at least the UnhealthyThreshold number of "       \
	"health checks consecutively."

enum { F_PX, F_SV, F_STATUS, F_CHECK, F_LAST, F_DESC, F_N };

struct stat_row {
	char *f[F_N];
};

/* The CSV, split: rows of our columns, located by the header's names. */
struct stat_table {
	char *text;
	struct stat_row *rows;
	size_t n;
};

static void
split_csv(char *line, char **cells, size_t max, size_t *n)
{
	*n = 0;
	while (line && *n < max) {
		cells[(*n)++] = line;
		line = strchr(line, ',');
		if (line)
			*line++ = '\0';
	}
}

static void
stat_parse(const char *csv, struct stat_table *t)
{
	static const char *const names[F_N] = {"pxname",   "svname",
	                                       "status",   "check_status",
	                                       "last_chk", "check_desc"};
	int col[F_N];
	char *cells[256], *save = NULL;
	size_t n;
	memset(t, 0, sizeof *t);
	t->text = xstrdup(csv ? csv : "");
	char *line = strtok_r(t->text, "\n", &save);
	if (!line || strncmp(line, "# ", 2) != 0)
		return;
	split_csv(line + 2, cells, 256, &n);
	for (int k = 0; k < F_N; k++) {
		col[k] = -1;
		for (size_t i = 0; i < n; i++)
			if (strcmp(cells[i], names[k]) == 0)
				col[k] = (int)i;
		if (col[k] < 0)
			return;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		split_csv(line, cells, 256, &n);
		struct stat_row r;
		int ok = 1;
		for (int k = 0; k < F_N; k++) {
			ok &= (size_t)col[k] < n;
			r.f[k] = ok ? cells[col[k]] : NULL;
		}
		if (!ok)
			continue;
		t->rows = xrealloc(t->rows, (t->n + 1) * sizeof *t->rows);
		t->rows[t->n++] = r;
	}
}

static void
stat_free(struct stat_table *t)
{
	free(t->text);
	free(t->rows);
}

/* Is px one of this load balancer's backends? */
static int
our_backend(const json_t *lb, const char *px)
{
	size_t i;
	json_t *ld;
	const char *name = sj_str(lb, "LoadBalancerName");
	json_array_foreach(json_object_get(lb, "ListenerDescriptions"), i, ld)
	{
		const json_t *l = json_object_get(ld, "Listener");
		const char *proto = sj_str(l, "Protocol");
		long port;
		char want[96];
		if (!name || !proto || sj_int(l, "LoadBalancerPort", &port) < 0)
			continue;
		servo_proxy_name(name, proto, port, want, sizeof want);
		if (strcasecmp(want, px) == 0)
			return 1;
	}
	return 0;
}

static void
health_add(struct servo_health **v, size_t *n, const char *id,
           const char *state, const char *code, const char *desc)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = (struct servo_health){xstrdup(id), xstrdup(state),
	                                     code ? xstrdup(code) : NULL,
	                                     desc ? xstrdup(desc) : NULL};
}

static int
is_down(const char *status)
{
	return !strncmp(status, "DOWN", 4) || !strncmp(status, "MAINT", 5) ||
	       !strncmp(status, "NOLB", 4) || !strncmp(status, "DRAIN", 5);
}

/* HAProxy's words for a row that is not up. */
static void
down_reason(const struct stat_row *r, struct buf *b)
{
	if (!strncmp(r->f[F_STATUS], "MAINT", 5))
		buf_printf(b, "Instance is in maintenance in HAProxy (%s, %s)",
		           r->f[F_PX], r->f[F_STATUS]);
	else
		buf_printf(b, DESC_FAILED " (HAProxy %s: %s %s%s%s)",
		           r->f[F_PX], r->f[F_STATUS], r->f[F_CHECK],
		           *r->f[F_DESC] ? ", " : "", r->f[F_DESC]);
	if (*r->f[F_LAST])
		buf_printf(b, ": %s", r->f[F_LAST]);
}

static void
health_one(const json_t *lb, const json_t *inst, const struct stat_table *t,
           const struct servo_pins *pins, struct servo_health **v, size_t *n)
{
	const char *id = sj_str(inst, "InstanceId");
	int rows = 0, unknown = 0;
	struct buf why = BUF_INIT;
	if (!id)
		return;
	for (size_t i = 0; pins && i < pins->n; i++)
		if (pins->v[i].fail && !strcmp(pins->v[i].instance_id, id)) {
			health_add(v, n, id, "OutOfService", "Instance",
			           pins->v[i].reason);
			return;
		}
	for (size_t i = 0; i < t->n; i++) {
		const struct stat_row *r = &t->rows[i];
		if (strcmp(r->f[F_SV], id) || !our_backend(lb, r->f[F_PX]))
			continue;
		rows++;
		if (is_down(r->f[F_STATUS])) {
			if (!why.len)
				down_reason(r, &why);
		} else if (!strncmp(r->f[F_CHECK], "INI", 3) ||
		           !*r->f[F_CHECK]) {
			unknown = 1; /* not checked yet since (re)load */
		}
	}
	if (why.len)
		health_add(v, n, id, "OutOfService", "Instance", buf_str(&why));
	else if (!rows && !sj_str(inst, "InstanceIpAddress"))
		health_add(v, n, id, "OutOfService", "ELB",
		           "eulbd knows no address for this instance (add it "
		           "with: eulbd instance add)");
	else if (!rows && json_array_size(
	                      json_object_get(lb, "ListenerDescriptions")) == 0)
		health_add(v, n, id, "OutOfService", "ELB",
		           "The load balancer has no listeners.");
	else if (rows && !unknown)
		health_add(v, n, id, "InService", NULL, NULL);
	buf_free(&why);
}

void
servo_health(const json_t *lb, const char *csv, const struct servo_pins *pins,
             struct servo_health **out, size_t *n)
{
	struct stat_table t;
	size_t i;
	json_t *inst;
	*out = NULL;
	*n = 0;
	stat_parse(csv, &t);
	json_array_foreach(json_object_get(lb, "BackendInstances"), i, inst)
	    health_one(lb, inst, &t, pins, out, n);
	stat_free(&t);
}

void
servo_health_free(struct servo_health *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].instance_id);
		free(v[i].state);
		free(v[i].reason_code);
		free(v[i].description);
	}
	free(v);
}
