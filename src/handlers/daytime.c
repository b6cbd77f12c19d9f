/*
 * The "daytime" handler (RFC 867): the local date and time as one line
 * of text, then close.  The line is ctime()'s, as BSD inetd and
 * openbsd-inetd send it ("Tue Nov 29 12:00:00 2026\r\n"; xinetd has a
 * format of its own), in the time zone replyd runs in (TZ,
 * /etc/localtime).  Anything the client sends is ignored; over UDP
 * the answer is one datagram, which the master sends only within
 * max_amplification of the request (udp.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "handlers/handler.h"
#include "lib/log.h"

int
handler_daytime(const struct conn *c)
{
	char line[64];
	time_t now = time(NULL);
	struct tm tm;
	size_t n;

	if (localtime_r(&now, &tm) == NULL ||
	    (n = strftime(line, sizeof(line), "%a %b %e %H:%M:%S %Y\r\n",
	    &tm)) == 0) {
		log_msg(LOG_ERR, "%s: %s: cannot format the time",
		    c->svc->name, c->peer);
		return EX_SOFTWARE;
	}
	return handler_answer(c, line, n);
}
