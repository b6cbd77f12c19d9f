/*
 * The "echo" handler (RFC 862): send back whatever arrives until the
 * client closes, stays silent for the timeout, or stops reading what it
 * is sent for the timeout.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sysexits.h>

#include "handlers/handler.h"
#include "lib/io.h"
#include "lib/log.h"

int
handler_echo(const struct conn *c)
{
	const struct service *s = c->svc;
	/* Big enough for any datagram, which must come in one read. */
	static char buf[65536];
	unsigned long long total = 0;
	const char *what = "read";
	ssize_t n;

	while ((n = io_read(0, buf, sizeof(buf), s->timeout)) > 0) {
		if (io_write_all(1, buf, n, s->timeout) < 0) {
			what = "write";
			n = -1;
			break;
		}
		total += n;
	}
	if (n < 0 && errno == ETIMEDOUT)
		log_msg(LOG_INFO, "%s: %s: timeout after %d s %s", s->name,
		    c->peer, s->timeout, *what == 'r' ? "idle" :
		    "without the client reading");
	else if (n < 0)
		log_msg(LOG_INFO, "%s: %s: %s: %s", s->name, c->peer, what,
		    strerror(errno));
	/* A UDP reply is logged as sent by the relay, which sends it. */
	if (s->proto != PROTO_UDP && HANDLER_LOGS_REQUESTS(s))
		log_msg(LOG_INFO, "%s: %s: echoed %llu bytes", s->name,
		    c->peer, total);
	return n == 0 || errno == ETIMEDOUT || errno == EPIPE ||
	    errno == ECONNRESET ? 0 : EX_IOERR;
}
