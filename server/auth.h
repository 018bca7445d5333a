/* SigV4 verification of API requests against the stored access keys. */
#ifndef EULB_AUTH_H
#define EULB_AUTH_H

#include "request.h"

/* Maximum distance between X-Amz-Date and the server clock. */
#define AUTH_MAX_SKEW_SECONDS (15 * 60)

/* Authenticates rq (Authorization header or presigned query) and sets
 * rq->account_id. 0, or -1 with the AWS error set. */
int auth_check(struct request *rq);
/* Once the action is known: the credential scope names its service. */
int auth_check_service(struct request *rq);

#endif
