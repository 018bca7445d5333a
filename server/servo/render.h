/* eulb-servo: haproxy.cfg and its certificate files from the JSON. */
#ifndef EULB_SERVO_RENDER_H
#define EULB_SERVO_RENDER_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

struct servo_pins;

struct servo_file {
	char *path; /* relative to the state directory */
	char *data;
};

struct servo_render {
	struct buf cfg;
	struct servo_file *files;
	size_t nfiles;
	/* "backend server-line" of every server, to carry health across a
	 * reload only for servers whose line did not change. */
	char **servers;
	size_t nservers;
};

struct servo_render_in {
	const char *bind;
	const char *state_dir;
	const char *never_pem; /* servo_never_cert() */
	const struct servo_pins *pins;
};

/* lb may be NULL (the load balancer is gone): a configuration without
 * listeners. Returns 0; render errors in one listener skip it, logged. */
int servo_render(const json_t *lb, const struct servo_render_in *in,
                 struct servo_render *out);
void servo_render_free(struct servo_render *r);
/* frontend/backend name of a listener: <lb>-<proto>-<port> */
void servo_proxy_name(const char *lb, const char *proto, long port, char *out,
                      size_t size);

#endif
