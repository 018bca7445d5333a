/* eulb-servo: what HAProxy sees, as InService/OutOfService. */
#ifndef EULB_SERVO_REPORT_H
#define EULB_SERVO_REPORT_H

#include <jansson.h>
#include <stddef.h>

struct servo_pins;

struct servo_health {
	char *instance_id;
	char *state;       /* InService | OutOfService */
	char *reason_code; /* NULL for InService */
	char *description; /* NULL for InService */
};

/* The health of each registered instance from `show stat` CSV; instances
 * HAProxy has not checked yet are left out. */
void servo_health(const json_t *lb, const char *csv,
                  const struct servo_pins *pins, struct servo_health **out,
                  size_t *n);
void servo_health_free(struct servo_health *v, size_t n);

#endif
