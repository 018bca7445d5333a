/*
 * One eulb-servo cycle: fetch the load balancer, probe authenticated back
 * ends, render, and when the text changed write the files, `haproxy -c`
 * the new configuration, swap it in atomically and reload HAProxy through
 * its master socket. Then report health. A render HAProxy refuses never
 * replaces the running configuration; a failed fetch changes nothing.
 *
 * A render `haproxy -c` refuses is reported on the load balancer, not only
 * logged: while it stands, every registered instance is reported
 * OutOfService with reason ELB and HAProxy's words (PutServoStates, the
 * path health already takes, so DescribeInstanceHealth shows it with no
 * new API or column). The instances may still be served by the last good
 * configuration, but not as the load balancer is now configured, which is
 * what the operator must fix. The next accepted or unchanged render lifts
 * it and HAProxy's own health is reported again.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fetch.h"
#include "fileio.h"
#include "log.h"
#include "render.h"
#include "report.h"
#include "servo.h"
#include "util.h"

#define STATS_TIMEOUT_MS 3000
#define COMPLAINT_MAX 300

void
servo_init(struct servo *s, const struct servo_config *cfg)
{
	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	s->hx.bin = cfg->haproxy;
	s->hx.cfg = servo_path(cfg->state_dir, "haproxy.cfg");
	s->hx.master_sock = servo_path(cfg->state_dir, "master.sock");
	s->hx.stats_sock = servo_path(cfg->state_dir, "haproxy.sock");
	s->reported = json_object();
	s->never_pem = servo_never_cert();
}

static void
servo_state_path(struct servo *s, const char *name, struct buf *b)
{
	buf_reset(b);
	buf_printf(b, "%s/%s", s->cfg->state_dir, name);
}

/* --- install ------------------------------------------------------------ */

static int
servo_write_files(struct servo *s, const struct servo_render *r)
{
	struct buf path = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < r->nfiles; i++) {
		/* Named by content: an existing file is already right. */
		servo_state_path(s, r->files[i].path, &path);
		if (access(buf_str(&path), F_OK) == 0)
			continue;
		rc = file_write_atomic(buf_str(&path), r->files[i].data,
		                       strlen(r->files[i].data), 0600);
	}
	buf_free(&path);
	return rc;
}

static int
servo_has_line(char **v, size_t n, const char *line)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], line) == 0)
			return 1;
	return 0;
}

/* The record "<backend> server <name> ..." of (be, srv) in r, or NULL. */
static const char *
servo_server_record(char **v, size_t n, const char *be, const char *srv)
{
	size_t bl = strlen(be), sl = strlen(srv);
	for (size_t i = 0; i < n; i++)
		if (!strncmp(v[i], be, bl) &&
		    !strncmp(v[i] + bl, " server ", 8) &&
		    !strncmp(v[i] + bl + 8, srv, sl) &&
		    v[i][bl + 8 + sl] == ' ')
			return v[i];
	return NULL;
}

/*
 * Carries health across the reload (`show servers state` into the
 * server-state file) for servers whose line did not change. A changed
 * server (new pin, new address, now disabled) starts fresh.
 */
static void
servo_save_state(struct servo *s, const struct servo_render *r)
{
	struct buf out = BUF_INIT, keep = BUF_INIT, path = BUF_INIT;
	servo_state_path(s, "server-state", &path);
	if (servo_unix_cmd(s->hx.stats_sock, "show servers state", &out,
	                   STATS_TIMEOUT_MS) < 0 ||
	    !out.data) {
		unlink(buf_str(&path));
		goto out;
	}
	char *save = NULL;
	for (char *line = strtok_r(out.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char be[128], srv[128];
		if (line[0] == '#' ||
		    sscanf(line, "%*s %127s %*s %127s", be, srv) != 2) {
			buf_printf(&keep, "%s\n", line);
			continue;
		}
		const char *now =
		    servo_server_record(r->servers, r->nservers, be, srv);
		if (now && servo_has_line(s->live_servers, s->nlive, now))
			buf_printf(&keep, "%s\n", line);
	}
	file_write_atomic(buf_str(&path), keep.data ? keep.data : "", keep.len,
	                  0600);
out:
	buf_free(&out);
	buf_free(&keep);
	buf_free(&path);
}

/* Removes certificate files the live configuration no longer names. */
static void
servo_gc(struct servo *s)
{
	static const char *const dirs[] = {"certs", "backend-auth"};
	struct buf path = BUF_INIT, rel = BUF_INIT;
	for (size_t d = 0; d < 2; d++) {
		servo_state_path(s, dirs[d], &path);
		DIR *dir = opendir(buf_str(&path));
		struct dirent *e;
		while (dir && (e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			buf_reset(&rel);
			buf_printf(&rel, "/%s/%s", dirs[d], e->d_name);
			if (s->live_cfg && strstr(s->live_cfg, buf_str(&rel)))
				continue;
			servo_state_path(s, buf_str(&rel) + 1, &path);
			unlink(buf_str(&path));
		}
		if (dir)
			closedir(dir);
	}
	buf_free(&path);
	buf_free(&rel);
}

static void
servo_set_live(struct servo *s, struct servo_render *r)
{
	free(s->live_cfg);
	for (size_t i = 0; i < s->nlive; i++)
		free(s->live_servers[i]);
	free(s->live_servers);
	s->live_cfg = xstrdup(buf_str(&r->cfg));
	s->live_servers = r->servers;
	s->nlive = r->nservers;
	r->servers = NULL;
	r->nservers = 0;
}

/* The first error `haproxy -c` printed, without its "[ALERT] (pid) :"
 * prefix, as printable ASCII of bounded length (it goes into the API). */
static char *
servo_complaint(const char *out)
{
	const char *line = strstr(out, "[ALERT]"), *p;
	struct buf b = BUF_INIT;
	if (!line)
		line = out;
	else if ((p = strstr(line, ") : ")) && !memchr(line, '\n', p - line))
		line = p + 4;
	if (!strncmp(line, "config : ", 9))
		line += 9;
	for (p = line; *p && *p != '\n' && b.len < COMPLAINT_MAX; p++)
		buf_putc(&b, *p >= 0x20 && *p < 0x7f ? *p : '?');
	if (*p && *p != '\n')
		buf_puts(&b, "...");
	return b.len ? buf_steal(&b) : xstrdup("haproxy -c failed");
}

static void
servo_set_refused(struct servo *s, const char *out)
{
	free(s->refused);
	s->refused = out ? servo_complaint(out) : NULL;
}

static int
servo_install(struct servo *s, struct servo_render *r)
{
	struct buf tmp = BUF_INIT, out = BUF_INIT;
	int rc = -1, running = servo_haproxy_running(&s->hx);
	buf_printf(&tmp, "%s.new", s->hx.cfg);
	if (servo_write_files(s, r) < 0 ||
	    file_write_atomic(buf_str(&tmp), r->cfg.data, r->cfg.len, 0600) < 0)
		goto out;
	if (servo_haproxy_check(s->hx.bin, buf_str(&tmp), &out) < 0) {
		log_error("haproxy -c refused the rendered configuration (kept "
		          "as %s); HAProxy keeps the last good one:\n%s",
		          buf_str(&tmp), buf_str(&out));
		servo_set_refused(s, buf_str(&out));
		goto out;
	}
	servo_set_refused(s, NULL);
	if (running)
		servo_save_state(s, r);
	if (rename(buf_str(&tmp), s->hx.cfg) < 0) {
		log_error("rename to %s: %s", s->hx.cfg, strerror(errno));
		goto out;
	}
	if (s->cfg->once) {
		rc = 0;
	} else if (running) {
		rc = servo_haproxy_reload(&s->hx);
		if (rc < 0 && s->live_cfg) /* the file again says what runs */
			file_write_atomic(s->hx.cfg, s->live_cfg,
			                  strlen(s->live_cfg), 0600);
	} else {
		/* A fresh start carries no health: an empty state file (just
		 * its version line). */
		char *state = servo_path(s->cfg->state_dir, "server-state");
		file_write_atomic(state, "1\n", 2, 0600);
		free(state);
		rc = servo_haproxy_start(&s->hx);
	}
	if (rc == 0) {
		log_info("%s configuration for load balancer %s (%zu "
		         "servers)",
		         s->cfg->once ? "installed"
		         : running    ? "reloaded"
		                      : "started",
		         s->cfg->lb, r->nservers);
		servo_set_live(s, r);
		servo_gc(s);
	}
out:
	buf_free(&tmp);
	buf_free(&out);
	return rc;
}

/* A render that failed is tried again only after a pause: the same text
 * fails the same way until something outside changes (a port is freed). */
static int
servo_install_or_wait(struct servo *s, struct servo_render *r)
{
	long long now = servo_now_ms();
	int pause = s->cfg->interval > 5 ? s->cfg->interval : 5;
	if (s->failed_cfg && !strcmp(s->failed_cfg, buf_str(&r->cfg)) &&
	    now < s->retry_at && servo_haproxy_running(&s->hx))
		return -1;
	int rc = servo_install(s, r);
	free(s->failed_cfg);
	s->failed_cfg = rc < 0 ? xstrdup(buf_str(&r->cfg)) : NULL;
	s->retry_at = now + pause * 1000LL;
	return rc;
}

/* eulbd is unreachable and nothing runs: serve the last configuration this
 * state directory holds, if HAProxy still accepts it. */
static void
servo_start_last_good(struct servo *s)
{
	struct buf out = BUF_INIT;
	if (s->cfg->once || servo_haproxy_running(&s->hx))
		return;
	if (!s->live_cfg) {
		s->live_cfg = servo_read_file(s->hx.cfg);
		if (!s->live_cfg)
			return;
	}
	if (servo_haproxy_check(s->hx.bin, s->hx.cfg, &out) == 0 &&
	    servo_haproxy_start(&s->hx) == 0)
		log_info("serving the last good configuration %s", s->hx.cfg);
	buf_free(&out);
}

/* --- report ------------------------------------------------------------- */

static const char *
servo_stored_state(const json_t *lb, const char *id)
{
	size_t i;
	json_t *inst;
	json_array_foreach(json_object_get(lb, "BackendInstances"), i, inst)
	{
		const char *x = sj_str(inst, "InstanceId");
		if (x && strcmp(x, id) == 0)
			return sj_str(inst, "State");
	}
	return NULL;
}

/* Every registered instance OutOfService for the refused render. */
static void
servo_refused_health(struct servo *s, const json_t *lb,
                     struct servo_health **out, size_t *n)
{
	struct buf why = BUF_INIT;
	size_t i;
	json_t *inst;
	buf_printf(
	    &why, "HAProxy refused the configuration: %s (%s)", s->refused,
	    servo_haproxy_running(&s->hx) ? "the last good one keeps serving"
	                                  : "nothing is served");
	*out = NULL;
	*n = 0;
	json_array_foreach(json_object_get(lb, "BackendInstances"), i, inst)
	{
		const char *id = sj_str(inst, "InstanceId");
		if (!id)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = (struct servo_health){
		    xstrdup(id), xstrdup("OutOfService"), xstrdup("ELB"),
		    xstrdup(buf_str(&why))};
	}
	buf_free(&why);
}

static void
servo_report(struct servo *s, const json_t *lb, const struct servo_pins *pins)
{
	struct buf csv = BUF_INIT, err = BUF_INIT, mark = BUF_INIT;
	struct servo_health *h = NULL;
	struct servo_state *send = NULL;
	size_t n = 0, k = 0;
	if (lb && s->refused)
		servo_refused_health(s, lb, &h, &n);
	else if (!lb || !servo_haproxy_running(&s->hx) ||
	         servo_unix_cmd(s->hx.stats_sock, "show stat", &csv,
	                        STATS_TIMEOUT_MS) < 0)
		goto out;
	else
		servo_health(lb, buf_str(&csv), pins, &h, &n);
	send = xcalloc(n + 1, sizeof *send);
	for (size_t i = 0; i < n; i++) {
		const char *stored = servo_stored_state(lb, h[i].instance_id);
		const char *prev = json_string_value(
		    json_object_get(s->reported, h[i].instance_id));
		buf_reset(&mark);
		buf_printf(&mark, "%s\t%s", h[i].state,
		           h[i].description ? h[i].description : "");
		if (stored && !strcmp(stored, h[i].state) && prev &&
		    !strcmp(prev, buf_str(&mark)))
			continue;
		if (!prev || strcmp(prev, buf_str(&mark)))
			log_info("%s: %s%s%s", h[i].instance_id, h[i].state,
			         h[i].description ? ": " : "",
			         h[i].description ? h[i].description : "");
		send[k++] =
		    (struct servo_state){h[i].instance_id, h[i].state,
		                         h[i].reason_code, h[i].description};
	}
	if (k && servo_put_states(s->cfg, send, k, &err) < 0) {
		log_error("PutServoStates: %s", buf_str(&err));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		buf_reset(&mark);
		buf_printf(&mark, "%s\t%s", h[i].state,
		           h[i].description ? h[i].description : "");
		json_object_set_new(s->reported, h[i].instance_id,
		                    json_string(buf_str(&mark)));
	}
out:
	free(send);
	servo_health_free(h, n);
	buf_free(&csv);
	buf_free(&err);
	buf_free(&mark);
}

/* --- the cycle ---------------------------------------------------------- */

int
servo_cycle(struct servo *s)
{
	const struct servo_config *c = s->cfg;
	struct buf err = BUF_INIT;
	struct servo_pins pins = {0};
	struct servo_render r;
	json_t *lb = NULL;
	int rc = servo_fetch(c, &lb, &err);
	if (rc == SERVO_FETCH_ERROR) {
		log_error("cannot fetch load balancer %s: %s; %s", c->lb,
		          buf_str(&err),
		          c->once ? "nothing written"
		                  : "HAProxy keeps serving the last good "
		                    "configuration");
		servo_start_last_good(s);
		buf_free(&err);
		return -1;
	}
	if (rc == SERVO_FETCH_NOT_FOUND && s->live_cfg &&
	    strstr(s->live_cfg, "\nfrontend "))
		log_warn("load balancer %s of account %s no longer exists; "
		         "closing its listeners",
		         c->lb, c->account);
	if (lb)
		servo_auth_plan(lb, &s->seen, c->probe_timeout_ms, &pins);
	struct servo_render_in in = {c->bind, c->state_dir, s->never_pem,
	                             &pins};
	rc = servo_render(lb, &in, &r);
	if (rc == 0 &&
	    (c->once || !s->live_cfg || strcmp(s->live_cfg, buf_str(&r.cfg)) ||
	     !servo_haproxy_running(&s->hx)))
		rc = servo_install_or_wait(s, &r);
	else if (rc == 0) {
		log_debug("configuration unchanged");
		servo_set_refused(s, NULL); /* what runs is what is asked */
	}
	if (!c->once)
		servo_report(s, lb, &pins);
	servo_render_free(&r);
	servo_pins_free(&pins);
	json_decref(lb);
	buf_free(&err);
	return rc;
}

void
servo_shutdown(struct servo *s)
{
	servo_haproxy_stop(&s->hx);
	free(s->hx.cfg);
	free(s->hx.master_sock);
	free(s->hx.stats_sock);
	free(s->never_pem);
	free(s->live_cfg);
	free(s->failed_cfg);
	free(s->refused);
	for (size_t i = 0; i < s->nlive; i++)
		free(s->live_servers[i]);
	free(s->live_servers);
	json_decref(s->reported);
	servo_seen_cache_free(&s->seen);
	memset(s, 0, sizeof *s);
}
