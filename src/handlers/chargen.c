/*
 * The "chargen" handler (RFC 864): the classic rotating lines of 72
 * printable ASCII characters (space to tilde, 95 of them), each line
 * starting one character later than the one before, ended by CR LF.
 *
 * Over TCP the lines never end: the client reads until it closes, and
 * a client that stops reading is dropped after `timeout` seconds
 * without progress (the master's session_timeout, if set, bounds the
 * whole session).  What the client sends is ignored.
 *
 * Over UDP the answer to each datagram is one datagram of a random
 * length from 1 to 512 characters of the same lines, as RFC 864 asks
 * (BSD inetd sends one line, 74 bytes; xinetd 1024), starting on a
 * random line as inetd's lines rotate from one datagram to the next.
 * It never exceeds max_amplification times the request, so that the
 * master never has to hold it back: an empty request gets no answer
 * unless that limit is off.  (RFC 864 allows 0 characters; an empty
 * write would end the relay rather than make an empty datagram.)
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "handlers/handler.h"
#include "lib/io.h"
#include "lib/log.h"

#define CG_FIRST	' '
#define CG_CHARS	95		/* ' ' to '~' */
#define CG_WIDTH	72
#define CG_LINE		(CG_WIDTH + 2)
#define CG_UDP_MAX	512
/* One whole cycle of lines, and enough more for any UDP answer. */
#define CG_LINES	(CG_CHARS + CG_UDP_MAX / CG_LINE + 1)

static char cycle[CG_LINES * CG_LINE];

static void
cycle_fill(void)
{
	char *p = cycle;
	int line, i;

	for (line = 0; line < CG_LINES; line++) {
		for (i = 0; i < CG_WIDTH; i++)
			*p++ = CG_FIRST + (line + i) % CG_CHARS;
		*p++ = '\r';
		*p++ = '\n';
	}
}

/* Streams until the client goes or stops reading: always 0 bytes left. */
static int
chargen_tcp(const struct conn *c)
{
	const struct service *s = c->svc;
	const size_t len = CG_CHARS * CG_LINE;	/* then it repeats */
	unsigned long long total = 0;
	size_t off = 0;
	ssize_t n;

	while ((n = io_write(1, cycle + off, len - off, s->timeout)) > 0) {
		total += n;
		off = (off + n) % len;
	}
	if (errno == ETIMEDOUT)
		log_msg(LOG_INFO, "%s: %s: timeout after %d s without the "
		    "client reading", s->name, c->peer, s->timeout);
	else if (errno != EPIPE && errno != ECONNRESET)
		log_msg(LOG_INFO, "%s: %s: write: %s", s->name, c->peer,
		    strerror(errno));
	if (HANDLER_LOGS_REQUESTS(s))
		log_msg(LOG_INFO, "%s: %s: sent %llu bytes", s->name, c->peer,
		    total);
	return errno == ETIMEDOUT || errno == EPIPE || errno == ECONNRESET ?
	    0 : EX_IOERR;
}

static unsigned
random32(void)
{
	unsigned r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == sizeof(r))
		return r;
	return (unsigned)time(NULL) ^ (unsigned)getpid() * 2654435761U;
}

/* The request's length: the datagram, then end of file. */
static ssize_t
request_length(const struct service *s)
{
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	while ((n = io_read(0, buf, sizeof(buf), s->timeout)) > 0)
		total += n;
	return n < 0 ? -1 : (ssize_t)total;
}

static int
chargen_udp(const struct conn *c)
{
	const struct service *s = c->svc;
	unsigned r = random32();
	size_t len = 1 + r % CG_UDP_MAX;
	size_t start = (r / CG_UDP_MAX) % CG_CHARS * CG_LINE;
	ssize_t req;

	if ((req = request_length(s)) < 0) {
		log_msg(LOG_INFO, "%s: %s: read: %s", s->name, c->peer,
		    strerror(errno));
		return EX_IOERR;
	}
	if (s->max_amplification > 0 &&
	    (double)len > s->max_amplification * (double)req)
		len = (size_t)(s->max_amplification * (double)req);
	if (len == 0) {
		log_msg(LOG_INFO, "%s: %s: no answer to a %zd-byte request "
		    "within max_amplification (%g)", s->name, c->peer, req,
		    s->max_amplification);
		return 0;
	}
	if (io_write_all(1, cycle + start, len, s->timeout) < 0) {
		log_msg(LOG_INFO, "%s: %s: write: %s", s->name, c->peer,
		    strerror(errno));
		return EX_IOERR;
	}
	/* Logged as sent by the relay, which sends it, if it does. */
	return 0;
}

int
handler_chargen(const struct conn *c)
{
	cycle_fill();
	return c->svc->proto == PROTO_UDP ? chargen_udp(c) : chargen_tcp(c);
}
