#include "errors.h"

static const struct err_info err_table[ERR_COUNT] = {
#define X(id, status, code, type, msg) [id] = {status, code, type, msg},
#include "errors.def"
#undef X
};

const struct err_info *
err_info(enum err_id id)
{
	if ((unsigned)id >= ERR_COUNT)
		return &err_table[ERR_INTERNAL];
	return &err_table[id];
}
