/* eulb-servo's signed HTTP client: the two data-plane actions of eulbd. */
#ifndef EULB_SERVO_FETCH_H
#define EULB_SERVO_FETCH_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

struct servo_config;

enum servo_fetch_rc {
	SERVO_FETCH_OK,
	SERVO_FETCH_NOT_FOUND, /* LoadBalancerNotFound: nothing to serve */
	SERVO_FETCH_ERROR,
};

/* *lb is the LoadBalancerDescriptions member (a new reference). */
int servo_fetch(const struct servo_config *c, json_t **lb, struct buf *err);

struct servo_state {
	const char *instance_id;
	const char *state;       /* InService | OutOfService */
	const char *reason_code; /* Instance | ELB, or NULL */
	const char *description; /* or NULL */
};

int servo_put_states(const struct servo_config *c, const struct servo_state *v,
                     size_t n, struct buf *err);

#endif
