/*
 * The "discard" handler (RFC 863): read and throw away whatever arrives,
 * answer nothing.  Over TCP until the client closes or stays silent for
 * the timeout (inetd waits for ever); over UDP the one datagram.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sysexits.h>

#include "handlers/handler.h"
#include "lib/io.h"
#include "lib/log.h"

int
handler_discard(const struct conn *c)
{
	const struct service *s = c->svc;
	static char buf[65536];
	unsigned long long total = 0;
	ssize_t n;

	while ((n = io_read(0, buf, sizeof(buf), s->timeout)) > 0)
		total += n;
	if (n < 0 && errno == ETIMEDOUT)
		log_msg(LOG_INFO, "%s: %s: timeout after %d s idle", s->name,
		    c->peer, s->timeout);
	else if (n < 0)
		log_msg(LOG_INFO, "%s: %s: read: %s", s->name, c->peer,
		    strerror(errno));
	if (HANDLER_LOGS_REQUESTS(s))
		log_msg(LOG_INFO, "%s: %s: discarded %llu bytes", s->name,
		    c->peer, total);
	return n == 0 || errno == ETIMEDOUT || errno == ECONNRESET ?
	    0 : EX_IOERR;
}
