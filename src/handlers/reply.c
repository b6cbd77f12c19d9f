/*
 * The "reply" handler, the tutorial this project grew from: read one
 * request (at most max_request bytes; the first read that returns data,
 * EOF or the timeout ends it), log it, answer with the configured text,
 * close.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "handlers/handler.h"
#include "lib/io.h"
#include "lib/log.h"

/*
 * Requests up to this size (the default max_request) are read into the
 * stack, larger ones into the heap.
 */
#define REPLY_STACK_BUF 1024

int
handler_reply(const struct conn *c)
{
	const struct service *s = c->svc;
	char stackbuf[REPLY_STACK_BUF];
	char *buf = stackbuf;
	ssize_t n;
	int err;

	if (s->max_request > sizeof(stackbuf) &&
	    (buf = malloc(s->max_request)) == NULL) {
		log_msg(LOG_ERR, "%s: %s: out of memory", s->name, c->peer);
		return EX_OSERR;
	}
	n = io_read(0, buf, s->max_request, s->timeout);
	if (n < 0 && errno == ETIMEDOUT) {
		/* An empty request, as far as the reply goes. */
		log_msg(LOG_INFO, "%s: %s: timeout after %d s, nothing received",
		    s->name, c->peer, s->timeout);
		n = 0;
	} else if (n < 0) {
		log_msg(LOG_INFO, "%s: %s: read: %s", s->name, c->peer,
		    strerror(errno));
	} else if (HANDLER_LOGS_REQUESTS(s)) {
		log_data(LOG_INFO, buf, n, "%s: %s: received %zd bytes",
		    s->name, c->peer, n);
	}
	err = errno;
	if (buf != stackbuf)
		free(buf);
	/* A client that resets ended the exchange: no failure of ours. */
	if (n < 0)
		return err == ECONNRESET ? 0 : EX_IOERR;
	if (io_write_all(1, s->reply, s->reply_len, s->timeout) < 0) {
		err = errno;
		log_msg(LOG_INFO, "%s: %s: write: %s", s->name, c->peer,
		    strerror(err));
		return err == EPIPE || err == ECONNRESET ? 0 : EX_IOERR;
	}
	/* A UDP reply is logged as sent by the relay, which sends it. */
	if (s->proto != PROTO_UDP && HANDLER_LOGS_REQUESTS(s))
		log_msg(LOG_INFO, "%s: %s: sent %zu bytes", s->name, c->peer,
		    s->reply_len);
	if (c->is_socket && s->proto == PROTO_TCP)
		io_linger(0, 1);
	return 0;
}
