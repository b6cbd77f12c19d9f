/*
 * Admission.  Everything here runs in the master for every connection,
 * so it only looks at the address the kernel gave accept(): no DNS, no
 * read from the client.  The order is documented in replyd.conf(5):
 * deny wins over allow; an allow list, when given, must match; then the
 * per-source limits.  A busy or rate-limited client gets busy_reply if
 * one is configured, sent without ever blocking the master, which then
 * closes it gracefully (refused.c).  A Unix domain client has no address
 * for allow and deny to judge: only the per-source limits apply, its
 * source being its user id (conn_srckey).
 */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/admit.h"
#include "client/conn.h"
#include "handlers/handler.h"
#include "lib/addr.h"
#include "lib/log.h"
#include "lib/rate.h"

/* 127.0.0.0/8, ::1, or 127.0.0.0/8 mapped into IPv6. */
static int
loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET)
		return ((const unsigned char *)&((const struct sockaddr_in *)
		    sa)->sin_addr)[0] == 127;
	if (sa->sa_family != AF_INET6)
		return 0;
	return IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
	    (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
	    s6->sin6_addr.s6_addr[12] == 127);
}

enum admit
admit_check(struct svc_state *r, const struct children *k,
    const struct sockaddr *sa, const struct srckey *src,
    const struct timespec *now)
{
	const struct service *svc = r->svc;

	if (sa->sa_family != AF_UNIX && (acl_match(&svc->deny, sa) ||
	    (svc->allow.n > 0 && !acl_match(&svc->allow, sa))))
		return ADMIT_DENIED;
	/* Handlers that show the host's own state: loopback unless allowed. */
	if (svc->allow.n == 0 && (svc->handler->flags & HANDLER_LOCAL_ONLY) &&
	    !loopback(sa))
		return ADMIT_DENIED;
	/* Behind a balancer the children count the real clients (per_source.c). */
	if (svc->per_source > 0 && !svc->proxy_protocol &&
	    children_from(k, r, src) >= (size_t)svc->per_source)
		return ADMIT_BUSY;
	if (svc->per_source_rate > 0) {
		if (r->srcrate == NULL &&
		    (r->srcrate = calloc(RATE_SOURCES,
		    sizeof(*r->srcrate))) == NULL)
			return ADMIT_OK;
		if (!bucket_take(rate_source(r->srcrate, src),
		    svc->per_source_rate, now))
			return ADMIT_LIMITED;
	}
	return ADMIT_OK;
}

static void
refused(struct svc_state *r, enum admit why, const char *peer)
{
	static const char *const reason[] = {
		[ADMIT_DENIED] = "access denied",
		[ADMIT_BUSY] = "per_source limit reached",
		[ADMIT_LIMITED] = "per_source_rate exceeded",
	};

	if (why == ADMIT_DENIED)
		r->stats.denied++;
	else if (why == ADMIT_BUSY)
		r->stats.busy++;
	else
		r->stats.limited++;
	log_msg(LOG_NOTICE, "%s: refused %s: %s", r->svc->name, peer,
	    reason[why]);
}

/* Count and log a refusal (UDP: nothing is sent back). */
void
admit_log(struct svc_state *r, enum admit why, const struct sockaddr *sa)
{
	char peer[ADDR_STRLEN] = "?";
	struct addr_text t;

	if (addr_text(sa, &t) == 0)
		addr_join(&t, peer, sizeof(peer));
	refused(r, why, peer);
}

/* Count, log, and send busy_reply where it applies; fd stays open. */
void
admit_refuse(struct svc_state *r, int fd, enum admit why,
    const struct sockaddr *sa)
{
	const struct service *svc = r->svc;
	struct conn c;

	if (why != ADMIT_DENIED && svc->busy_reply != NULL)
		(void)!send(fd, svc->busy_reply, svc->busy_reply_len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	/* A Unix client is named by its credentials. */
	conn_describe(&c, svc, fd, sa);
	refused(r, why, c.peer);
}
