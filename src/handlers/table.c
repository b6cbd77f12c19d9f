/*
 * The table of built-in handlers.  The config names an entry; conf.c
 * resolves it once at load time, so a child never searches the table.
 * Also what the small answer-and-close handlers share.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sysexits.h>

#include "handlers/handler.h"
#include "lib/io.h"
#include "lib/log.h"

static const struct handler handlers[] = {
	{ "reply",	handler_reply,	 0 },
	{ "echo",	handler_echo,	 0 },
	{ "exec",	handler_exec,	 HANDLER_EXECS | HANDLER_STDERR },
	{ "module",	handler_module,	 HANDLER_STDERR },
	{ "discard",	handler_discard, 0 },
	{ "daytime",	handler_daytime, 0 },
	{ "time",	handler_time,	 0 },
	{ "chargen",	handler_chargen, 0 },
	{ "status",	handler_status,	 HANDLER_LOCAL_ONLY },
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
	static char buf[256];
	size_t i, len = 0;

	if (buf[0] != '\0')
		return buf;
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		len += strlen(handlers[i].name) + 2;
		if (len >= sizeof(buf))
			break;
		if (i > 0)
			strcat(buf, ", ");
		strcat(buf, handlers[i].name);
	}
	return buf;
}

/*
 * Write a whole answer and end: over TCP with a FIN even when the
 * client sent something we did not read, over UDP as one datagram.
 */
int
handler_answer(const struct conn *c, const void *buf, size_t n)
{
	const struct service *s = c->svc;

	if (io_write_all(1, buf, n, s->timeout) < 0) {
		log_msg(LOG_INFO, "%s: %s: write: %s", s->name, c->peer,
		    errno == ETIMEDOUT ? "the client read nothing before "
		    "timeout" : strerror(errno));
		return errno == EPIPE || errno == ECONNRESET ? 0 : EX_IOERR;
	}
	log_msg(LOG_INFO, "%s: %s: sent %zu bytes", s->name, c->peer, n);
	if (c->is_socket && s->proto == PROTO_TCP)
		io_linger(0, 1);
	return 0;
}
