/*
 * The table of built-in handlers.  The config names an entry; conf.c
 * resolves it once at load time, so a child never searches the table.
 */
#include "config.h"

#include <string.h>

#include "handler.h"

static const struct handler handlers[] = {
	{ "reply",	handler_reply,	0, 0 },
	{ "echo",	handler_echo,	0, 0 },
	{ "exec",	handler_exec,	1, 0 },
	{ "module",	handler_module,	0, 1 },
};

const struct handler *
handler_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(handlers[i].name, name) == 0)
			return &handlers[i];
	return NULL;
}

/* "reply, echo, exec": for error messages that say what is allowed. */
const char *
handler_names(void)
{
	static char buf[128];
	size_t i;

	if (buf[0] != '\0')
		return buf;
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		if (i > 0)
			strcat(buf, ", ");
		strcat(buf, handlers[i].name);
	}
	return buf;
}
