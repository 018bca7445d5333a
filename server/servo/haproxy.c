/*
 * The HAProxy process of eulb-servo: `haproxy -c`, a master-worker HAProxy
 * started as our child (-W -db -S master.sock), reloads through the master
 * socket confirmed with `show proc`, and a bounded clean stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "haproxy.h"
#include "log.h"
#include "servo.h"
#include "util.h"

#define CLI_TIMEOUT_MS 3000
#define START_TIMEOUT_MS 10000
#define RELOAD_TIMEOUT_MS 15000
#define CHECK_TIMEOUT_MS 30000
#define SOFT_STOP_MS 10000
#define HARD_STOP_MS 3000

static void
servo_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Reads fd to EOF into out, up to the deadline; 0 on EOF. */
static int
servo_read_all(int fd, struct buf *out, long long deadline)
{
	char chunk[4096];
	for (;;) {
		long long left = deadline - servo_now_ms();
		struct pollfd p = {fd, POLLIN, 0};
		if (left <= 0)
			return -1;
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		buf_append(out, chunk, (size_t)n);
	}
}

int
servo_unix_cmd(const char *path, const char *cmd, struct buf *out,
               int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int rc = -1;
	if (strlen(path) >= sizeof sa.sun_path)
		return -1;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		goto out;
	struct buf line = BUF_INIT;
	buf_printf(&line, "%s\n", cmd);
	ssize_t w = send(fd, line.data, line.len, MSG_NOSIGNAL);
	int sent = w == (ssize_t)line.len;
	buf_free(&line);
	/* The CLI answers and closes once it sees the end of our input. */
	if (!sent || shutdown(fd, SHUT_WR) < 0)
		goto out;
	rc = servo_read_all(fd, out, servo_now_ms() + timeout_ms);
out:
	close(fd);
	return rc;
}

int
servo_haproxy_check(const char *bin, const char *cfg, struct buf *out)
{
	int p[2];
	int status = 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execlp(bin, bin, "-c", "-f", cfg, (char *)NULL);
		fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	int r = servo_read_all(p[0], out, servo_now_ms() + CHECK_TIMEOUT_MS);
	close(p[0]);
	if (r < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

struct proc_counts {
	long master;
	long reloads;
	long failed;
	int workers;
};

/* `show proc`: "<pid> master <reloads> [failed: <n>] ..." and the workers
 * listed under "# workers". */
static int
servo_show_proc(struct servo_haproxy *h, struct proc_counts *c)
{
	struct buf out = BUF_INIT;
	int rc = -1, in_workers = 0;
	memset(c, 0, sizeof *c);
	if (servo_unix_cmd(h->master_sock, "show proc", &out, CLI_TIMEOUT_MS) <
	        0 ||
	    !out.data)
		goto out;
	char *save = NULL;
	for (char *line = strtok_r(out.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		long pid;
		char type[16];
		if (line[0] == '#') {
			in_workers = strncmp(line, "# workers", 9) == 0;
			continue;
		}
		if (sscanf(line, "%ld %15s", &pid, type) != 2)
			continue;
		if (strcmp(type, "master") == 0) {
			const char *f = strstr(line, "[failed:");
			c->master = pid;
			sscanf(line, "%*s %*s %ld", &c->reloads);
			if (f)
				sscanf(f, "[failed: %ld", &c->failed);
			rc = 0;
		} else if (in_workers && strcmp(type, "worker") == 0) {
			c->workers++;
		}
	}
out:
	buf_free(&out);
	return rc;
}

int
servo_haproxy_running(struct servo_haproxy *h)
{
	int status;
	if (h->pid <= 0)
		return 0;
	pid_t r = waitpid(h->pid, &status, WNOHANG);
	if (r == 0)
		return 1;
	if (r == h->pid) {
		if (WIFEXITED(status))
			log_error("HAProxy (pid %ld) exited with status %d",
			          (long)h->pid, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			log_error("HAProxy (pid %ld) was killed by signal %d",
			          (long)h->pid, WTERMSIG(status));
	}
	h->pid = 0;
	return 0;
}

/* A master left behind by an eulb-servo that died without stopping it
 * (we hold the state directory's lock, so it is nobody's): stop it, or
 * our HAProxy could not bind the listeners it holds. */
static void
servo_haproxy_orphan(struct servo_haproxy *h)
{
	struct proc_counts c;
	if (h->pid > 0 || servo_show_proc(h, &c) < 0 || c.master <= 1)
		return;
	log_warn("stopping HAProxy master %ld left running in the state "
	         "directory",
	         c.master);
	kill((pid_t)c.master, SIGUSR1);
	/* It is not our child: its socket going quiet says it is gone. */
	long long deadline = servo_now_ms() + SOFT_STOP_MS;
	while (servo_now_ms() < deadline && servo_show_proc(h, &c) == 0)
		servo_sleep_ms(50);
	if (servo_show_proc(h, &c) == 0)
		kill((pid_t)c.master, SIGKILL);
}

int
servo_haproxy_start(struct servo_haproxy *h)
{
	struct buf master = BUF_INIT;
	servo_haproxy_orphan(h);
	buf_printf(&master, "%s,mode,600", h->master_sock);
	pid_t pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		buf_free(&master);
		return -1;
	}
	if (pid == 0) {
		/* Its own process group: a terminal's ^C reaches us, and we
		 * stop HAProxy in order. */
		setpgid(0, 0);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execlp(h->bin, h->bin, "-W", "-db", "-f", h->cfg, "-S",
		       buf_str(&master), (char *)NULL);
		fprintf(stderr, SERVO_PROG ": cannot run %s: %s\n", h->bin,
		        strerror(errno));
		_exit(127);
	}
	buf_free(&master);
	h->pid = pid;
	long long deadline = servo_now_ms() + START_TIMEOUT_MS;
	while (servo_now_ms() < deadline) {
		struct proc_counts c;
		if (!servo_haproxy_running(h))
			return -1;
		if (servo_show_proc(h, &c) == 0 && c.workers > 0) {
			log_info("HAProxy started (master pid %ld)", (long)pid);
			return 0;
		}
		servo_sleep_ms(50);
	}
	log_error("HAProxy (pid %ld) did not start a worker within %d ms",
	          (long)pid, START_TIMEOUT_MS);
	servo_haproxy_stop(h);
	return -1;
}

int
servo_haproxy_reload(struct servo_haproxy *h)
{
	struct proc_counts before, now;
	struct buf out = BUF_INIT;
	if (servo_show_proc(h, &before) < 0) {
		log_error("HAProxy master socket %s does not answer",
		          h->master_sock);
		return -1;
	}
	/* 2.6 answers nothing to `reload`; the master then re-executes and
	 * refuses connections for a moment. */
	servo_unix_cmd(h->master_sock, "reload", &out, CLI_TIMEOUT_MS);
	buf_free(&out);
	long long deadline = servo_now_ms() + RELOAD_TIMEOUT_MS;
	while (servo_now_ms() < deadline) {
		servo_sleep_ms(50);
		if (!servo_haproxy_running(h))
			return -1;
		if (servo_show_proc(h, &now) < 0 ||
		    now.reloads <= before.reloads)
			continue;
		if (now.failed > before.failed) {
			log_error("HAProxy refused the new configuration; the "
			          "previous one keeps serving");
			return -1;
		}
		if (now.workers > 0)
			return 0;
	}
	log_error("HAProxy did not confirm the reload within %d ms",
	          RELOAD_TIMEOUT_MS);
	return -1;
}

static int
servo_wait_exit(struct servo_haproxy *h, long ms)
{
	long long deadline = servo_now_ms() + ms;
	while (servo_now_ms() < deadline) {
		int status;
		pid_t r = waitpid(h->pid, &status, WNOHANG);
		if (r == h->pid || (r < 0 && errno == ECHILD)) {
			h->pid = 0;
			return 0;
		}
		servo_sleep_ms(20);
	}
	return -1;
}

void
servo_haproxy_stop(struct servo_haproxy *h)
{
	if (h->pid <= 0)
		return;
	pid_t pid = h->pid;
	/* Soft stop: listeners close, connections in flight finish. */
	kill(pid, SIGUSR1);
	if (servo_wait_exit(h, SOFT_STOP_MS) == 0) {
		log_info("HAProxy (pid %ld) stopped", (long)pid);
		return;
	}
	log_warn("HAProxy (pid %ld) still runs after %d ms; terminating",
	         (long)pid, SOFT_STOP_MS);
	kill(pid, SIGTERM);
	if (servo_wait_exit(h, HARD_STOP_MS) == 0)
		return;
	kill(-pid, SIGKILL); /* its process group: master and workers */
	kill(pid, SIGKILL);
	servo_wait_exit(h, HARD_STOP_MS);
}
