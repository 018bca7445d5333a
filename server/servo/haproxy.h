/* eulb-servo: the HAProxy process, its master and stats sockets. */
#ifndef EULB_SERVO_HAPROXY_H
#define EULB_SERVO_HAPROXY_H

#include <sys/types.h>

#include "buf.h"

struct servo_haproxy {
	const char *bin;
	char *cfg;         /* <state>/haproxy.cfg */
	char *master_sock; /* <state>/master.sock */
	char *stats_sock;  /* <state>/haproxy.sock */
	pid_t pid;         /* the master, or 0 */
};

/* Sends one command line to a Unix CLI socket and reads the answer to EOF. */
int servo_unix_cmd(const char *path, const char *cmd, struct buf *out,
                   int timeout_ms);
/* `haproxy -c -q -f cfg`: 0 when valid; HAProxy's words in out. */
int servo_haproxy_check(const char *bin, const char *cfg, struct buf *out);
int servo_haproxy_start(struct servo_haproxy *h);
/* Reload through the master socket; 0 once the master confirms success. */
int servo_haproxy_reload(struct servo_haproxy *h);
int servo_haproxy_running(struct servo_haproxy *h);
/* Soft stop (SIGUSR1), then SIGTERM, then SIGKILL, each bounded. */
void servo_haproxy_stop(struct servo_haproxy *h);

#endif
