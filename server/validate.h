/*
 * Validation rules shared by several actions. Each check sets the AWS error
 * on rq and returns -1, or returns 0.
 */
#ifndef EULB_VALIDATE_H
#define EULB_VALIDATE_H

#include "request.h"
#include "store.h"

int validate_lb_name(struct request *rq, const char *name);
/* HTTP, HTTPS, TCP or SSL in any case; writes the upper-case form. */
int validate_protocol(struct request *rq, const char *param, const char *value,
                      char out[8]);
/* Reads and checks Listeners.member.<n>.* into l (ssl_certificate_id is
 * malloc'd). Certificate ownership is checked by the caller. */
int validate_listener(struct request *rq, unsigned n, struct listener *l);
/* "TCP:80", "HTTP:8080/index.html": canonical (upper-case protocol)
 * target in out (malloc'd). The path holds URL characters only. */
int validate_health_target(struct request *rq, const char *target, char **out);
/* Whether a listener's protocol is TLS-terminating (HTTPS or SSL). */
int protocol_is_secure(const char *protocol);

#endif
