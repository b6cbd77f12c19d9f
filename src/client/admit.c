/*
 * Admission: every decision whether a client is served, in every mode,
 * made here on the client as finally known.  The master judges the
 * address accept() gave it before it forks (no DNS, no read from the
 * client); `replyd -i` judges fd 0's peer; a PROXY service's child
 * judges the real client its balancer names.  The order is documented
 * in replyd.conf(5): deny wins over allow; an allow list, when given,
 * must match; a handler that shows the host's own state serves local
 * clients only unless allow says otherwise; then the per-source limits.
 *
 * The invariant: a refused client is always counted as refused (never
 * as failed), logged, and closed by the code that refused it, after
 * busy_reply where that applies (lingering, refused.c, so the reply is
 * not lost to a reset).  Every refusal line, of any kind (a dropped
 * datagram too), goes through admit_note, which logs one a second per
 * service and reason, so that no flood of spoofable datagrams floods
 * the log.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "client/admit.h"
#include "client/conn.h"
#include "client/refused.h"
#include "lib/log.h"

/*
 * When each (service, reason) last logged a refusal, and how many it
 * has not logged since.  Keyed by the service's name, which a reload
 * keeps; a table this size holds every pair of a large configuration,
 * and a pair that loses its slot to another only logs once more.
 */
#define NOTE_SLOTS 256

static struct note {
	char		 svc[72];
	const char	*why;
	time_t		 at;
	unsigned long	 quiet;
} notes[NOTE_SLOTS];

static struct note *
note_slot(const char *svc, const char *why)
{
	uint32_t h = 2166136261u;
	const char *p;
	size_t i, at;

	for (p = svc; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h ^= (uint32_t)(uintptr_t)why;
	for (i = 0; i < NOTE_SLOTS; i++) {
		at = (h + i) % NOTE_SLOTS;
		if (notes[at].why == NULL ||
		    (notes[at].why == why && strcmp(notes[at].svc, svc) == 0))
			break;
	}
	/* Not found in a full table: i is NOTE_SLOTS, so this is slot h. */
	at = (h + i) % NOTE_SLOTS;
	if (notes[at].why != why || strcmp(notes[at].svc, svc) != 0) {
		snprintf(notes[at].svc, sizeof(notes[at].svc), "%s", svc);
		notes[at].why = why;
		notes[at].at = 0;
		notes[at].quiet = 0;
	}
	return &notes[at];
}

/*
 * Log a refusal of service svc for reason why (a constant string: its
 * address is the key): the first of each second, with how many were
 * not logged before it; the others are only counted.
 */
void
admit_note(const struct service *svc, const char *why, const char *fmt,
    ...)
{
	struct note *n = note_slot(svc->name, why);
	const int prio = svc->log_facility | LOG_NOTICE;
	time_t now = time(NULL);
	char line[512];
	va_list ap;

	if (n->at == now) {
		n->quiet++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n->quiet > 0)
		log_msg(prio, "%s (and %lu more like it before)", line,
		    n->quiet);
	else
		log_msg(prio, "%s", line);
	n->at = now;
	n->quiet = 0;
}

/*
 * 127.0.0.0/8, ::1, 127.0.0.0/8 mapped into IPv6, or a Unix client,
 * which can only be on this host.
 */
static int
local(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_UNIX)
		return 1;
	if (sa->sa_family == AF_INET)
		return ((const unsigned char *)&((const struct sockaddr_in *)
		    sa)->sin_addr)[0] == 127;
	if (sa->sa_family != AF_INET6)
		return 0;
	return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
	    (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
	    s6->sin6_addr.s6_addr[12] == 127);
}

/*
 * The client at sa, with live children of the service already serving
 * its source (the caller counts them where they are known).
 */
enum admit
admit_client(const struct service *svc, const struct sockaddr *sa,
    size_t live)
{
	if (sa->sa_family != AF_UNIX && (acl_match(&svc->deny, sa) ||
	    (svc->allow.n > 0 && !acl_match(&svc->allow, sa))))
		return ADMIT_DENIED;
	/* Handlers that show the host's own state: local unless allowed. */
	if (svc->allow.n == 0 && svc->local_only && !local(sa))
		return ADMIT_DENIED;
	if (svc->per_source > 0 && live >= (size_t)svc->per_source)
		return ADMIT_BUSY;
	return ADMIT_OK;
}

/*
 * In the master, for the address that connected.  Behind a balancer
 * that may be the balancer: the child judges the real client again, and
 * counts it for per_source itself (per_source.c); per_source_rate is
 * the master's, on the address that connected (replyd.conf(5)).
 */
enum admit
admit_check(struct svc_state *r, size_t live, const struct sockaddr *sa,
    const struct srckey *src, const struct timespec *now)
{
	const struct service *svc = r->svc;
	enum admit why;

	why = admit_client(svc, sa, svc->proxy_protocol ? 0 : live);
	if (why != ADMIT_OK || svc->per_source_rate <= 0)
		return why;
	if (r->srcrate == NULL &&
	    (r->srcrate = calloc(RATE_SOURCES, sizeof(*r->srcrate))) == NULL)
		return ADMIT_OK;
	if (!bucket_take(rate_source(r->srcrate, src), svc->per_source_rate,
	    now))
		return ADMIT_LIMITED;
	return ADMIT_OK;
}

static const char *const reason[] = {
	[ADMIT_DENIED] = "access denied",
	[ADMIT_BUSY] = "per_source limit reached",
	[ADMIT_LIMITED] = "per_source_rate exceeded",
};

/* A refusal in the master's (or the status handler's) counters. */
void
admit_count(struct svc_state *r, enum admit why)
{
	if (why == ADMIT_DENIED)
		r->stats.denied++;
	else if (why == ADMIT_BUSY)
		r->stats.busy++;
	else if (why == ADMIT_LIMITED)
		r->stats.limited++;
}

/*
 * Tell the refused client on fd what applies (busy_reply, never to a
 * denied one), and log it; via names the balancer, if any.
 */
void
admit_say(const struct service *svc, int fd, enum admit why,
    const char *peer, const char *via)
{
	if (why != ADMIT_DENIED && svc->busy_reply != NULL)
		(void)!send(fd, svc->busy_reply, svc->busy_reply_len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	admit_note(svc, reason[why], "%s: refused %s%s%s: %s", svc->name,
	    peer, via[0] != '\0' ? " via " : "", via, reason[why]);
}

/* Count and log a refused datagram (UDP: nothing is sent back). */
void
admit_log(struct svc_state *r, enum admit why, const struct sockaddr *sa)
{
	char peer[ADDR_STRLEN] = "?";
	struct addr_text t;

	if (addr_text(sa, &t) == 0)
		addr_join(&t, peer, sizeof(peer));
	admit_count(r, why);
	admit_note(r->svc, reason[why], "%s: refused %s: %s",
	    r->svc->name, peer, reason[why]);
}

/*
 * Count, log, send busy_reply where it applies, and close fd: at once,
 * or, when a reply went out and lg can take it, gracefully (refused.c).
 * fd is never the caller's again.
 */
void
admit_refuse(struct svc_state *r, int fd, enum admit why,
    const struct sockaddr *sa, struct refused_clients *lg,
    const struct timespec *now)
{
	const struct service *svc = r->svc;
	struct conn c;

	/* A Unix client is named by its credentials. */
	conn_describe(&c, svc, fd, sa);
	admit_count(r, why);
	admit_say(svc, fd, why, c.peer, "");
	if (why == ADMIT_DENIED || svc->busy_reply == NULL || lg == NULL)
		close(fd);
	else
		refused_close(lg, fd, now);
}

/*
 * A child that refused its client (once a PROXY header named it, or
 * under `replyd -i`) exits with this status, which says why.
 */
int
admit_exit_status(enum admit why)
{
	return why == ADMIT_DENIED ? EX_NOPERM : EX_TEMPFAIL;
}

/*
 * What a reaped child's wait status says it refused (ADMIT_OK: none).
 * Only a PROXY service's children judge their clients; any other
 * child's status is its handler's.
 */
enum admit
admit_exited(const struct service *svc, int status)
{
	if (svc == NULL || !svc->proxy_protocol || !WIFEXITED(status))
		return ADMIT_OK;
	if (WEXITSTATUS(status) == EX_NOPERM)
		return ADMIT_DENIED;
	if (WEXITSTATUS(status) == EX_TEMPFAIL)
		return ADMIT_BUSY;
	return ADMIT_OK;
}
