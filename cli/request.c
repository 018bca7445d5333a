/* Request parameters from option values (requestbuilder flatten_params). */
#include "cli.h"

#include <stdio.h>

static void
flatten_value(json_t *v, struct buf *key, struct form *out)
{
	size_t mark = key->len;
	char num[32];

	switch (json_typeof(v)) {
	case JSON_STRING:
		/* Empty strings are not sent at all. */
		if (json_string_length(v))
			form_add(out, buf_str(key), json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		         json_integer_value(v));
		form_add(out, buf_str(key), num);
		break;
	case JSON_REAL:
		snprintf(num, sizeof num, "%.17g", json_real_value(v));
		form_add(out, buf_str(key), num);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		form_add(out, buf_str(key), json_is_true(v) ? "true" : "false");
		break;
	case JSON_NULL:
		/* requestbuilder's EMPTY: the key with an empty value. */
		form_add(out, buf_str(key), "");
		break;
	case JSON_ARRAY: {
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item)
		{
			buf_printf(key, ".%zu", i + 1);
			flatten_value(item, key, out);
			key->len = mark;
			key->data[mark] = '\0';
		}
		break;
	}
	case JSON_OBJECT: {
		const char *sub;
		json_t *item;
		json_object_foreach(v, sub, item)
		{
			buf_printf(key, ".%s", sub);
			flatten_value(item, key, out);
			key->len = mark;
			key->data[mark] = '\0';
		}
		break;
	}
	}
}

void
cli_flatten(json_t *params, struct form *out)
{
	struct buf key = BUF_INIT;
	const char *name;
	json_t *v;

	json_object_foreach(params, name, v)
	{
		buf_reset(&key);
		buf_puts(&key, name);
		flatten_value(v, &key, out);
	}
	buf_free(&key);
}

void
cli_request_form(const struct cli_command *cmd, const struct opt_result *res,
                 struct form *out)
{
	json_t *params = json_object();

	json_object_set_new(params, "Action", json_string(cmd->action));
	json_object_set_new(params, "Version",
	                    json_string(cmd->service->version));
	opt_request(res, params);
	cli_flatten(params, out);
	json_decref(params);
}
