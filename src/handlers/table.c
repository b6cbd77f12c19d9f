/*
 * The table of built-in handlers.  The config names an entry, checked
 * against handler_names() as the file is read; handler_resolve() turns
 * the name into the entry once after loading, so a child never searches
 * the table.  Also what the small answer-and-close handlers share.
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
	{ "daytime",	handler_daytime, HANDLER_FIXED_ANSWER },
	{ "time",	handler_time,	 HANDLER_FIXED_ANSWER },
	{ "chargen",	handler_chargen, 0 },
	{ "status",	handler_status,	 HANDLER_LOCAL_ONLY },
};
#define NHANDLERS	(sizeof(handlers) / sizeof(handlers[0]))

const struct handler *
handler_find(const char *name)
{
	size_t i;

	for (i = 0; i < NHANDLERS; i++)
		if (strcmp(handlers[i].name, name) == 0)
			return &handlers[i];
	return NULL;
}

const char *const *
handler_names(void)
{
	static const char *names[NHANDLERS + 1];
	size_t i;

	if (names[0] == NULL)
		for (i = 0; i < NHANDLERS; i++)
			names[i] = handlers[i].name;
	return names;
}

/*
 * A name conf_load() let through is in the table; one that is not
 * means the file was loaded without handler_names().
 */
int
handler_resolve(struct conf *c, struct errlist *errs)
{
	struct service *svc;
	int rc = 0;

	for (svc = c->svc; svc < c->svc + c->nsvc; svc++) {
		if (svc->handler_name != NULL &&
		    (svc->handler = handler_find(svc->handler_name)) != NULL) {
			svc->local_only = (svc->handler->flags &
			    HANDLER_LOCAL_ONLY) != 0;
			continue;
		}
		errlist_add(errs, "%s: service \"%s\": no handler \"%s\"",
		    c->path, svc->name, svc->handler_name ?
		    svc->handler_name : "");
		rc = -1;
	}
	return rc;
}

struct conf *
handler_conf_load(const char *path, struct conf_opts *o,
    struct errlist *errs)
{
	struct conf *c;

	o->handlers = handler_names();
	if ((c = conf_load(path, o, errs)) != NULL &&
	    handler_resolve(c, errs) < 0) {
		conf_free(c);
		return NULL;
	}
	return c;
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
	/* A UDP reply is logged as sent by the relay, which sends it. */
	if (s->proto != PROTO_UDP && HANDLER_LOGS_REQUESTS(s))
		log_msg(LOG_INFO, "%s: %s: sent %zu bytes", s->name, c->peer,
		    n);
	if (c->is_socket && s->proto == PROTO_TCP)
		io_linger(0, 1);
	return 0;
}
