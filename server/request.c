#include "request.h"

#include <stdlib.h>
#include <strings.h>

#include "config.h"

const char *
request_region_key(const struct request *rq)
{
	if (!rq->region || rq->region == rq->config->regions[0].name)
		return "";
	return rq->region;
}

const char *
request_header(const struct request *rq, const char *name)
{
	for (size_t i = 0; i < rq->nheaders; i++)
		if (strcasecmp(rq->headers[i].name, name) == 0)
			return rq->headers[i].value;
	return NULL;
}

void
request_free(struct request *rq)
{
	free(rq->raw_path);
	free(rq->raw_query);
	free(rq->headers); /* names and values belong to the connection */
	buf_free(&rq->body);
	form_free(&rq->params);
	json_decref(rq->result);
	buf_free(&rq->stream);
	free(rq->err_message);
	free(rq->response_body);
	free(rq);
}
