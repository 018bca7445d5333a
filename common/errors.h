/* The API error table (errors.def) as an enum and a lookup array. */
#ifndef EULB_ERRORS_H
#define EULB_ERRORS_H

enum err_id {
#define X(id, status, code, type, msg) id,
#include "errors.def"
#undef X
	ERR_COUNT
};

struct err_info {
	int http_status;
	const char *code;
	const char *type;
	const char *message;
};

const struct err_info *err_info(enum err_id id);

#endif
