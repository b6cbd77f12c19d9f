/*
 * Admission.  Everything here runs in the master for every connection,
 * so it only looks at the address the kernel gave accept(): no DNS, no
 * read from the client.  The order is documented in replyd.conf(5):
 * deny wins over allow; an allow list, when given, must match; then the
 * per-source limits.  A refused client is closed at once; a busy or
 * rate-limited one first gets busy_reply if one is configured, sent
 * without ever blocking the master.  A Unix domain client has no
 * address for allow and deny to judge: only the per-source limits
 * apply, its source being its user id (conn_srckey).
 */
#include "config.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "admit.h"
#include "conn.h"
#include "handler.h"
#include "log.h"
#include "rate.h"

enum admit
admit_check(struct svc_run *r, const struct kids *k,
    const struct sockaddr *sa, const struct srckey *src,
    const struct timespec *now)
{
	const struct service *svc = r->svc;

	if (sa->sa_family != AF_UNIX && (acl_match(&svc->deny, sa) ||
	    (svc->allow.n > 0 && !acl_match(&svc->allow, sa))))
		return ADMIT_DENIED;
	if (svc->per_source > 0 &&
	    kids_from(k, r, src) >= (size_t)svc->per_source)
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
refused(struct svc_run *r, enum admit why, const char *peer)
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
admit_log(struct svc_run *r, enum admit why, const struct sockaddr *sa)
{
	char peer[ADDR_STRLEN] = "?";
	struct addr_text t;

	if (addr_text(sa, &t) == 0)
		addr_join(&t, peer, sizeof(peer));
	refused(r, why, peer);
}

void
admit_refuse(struct svc_run *r, int fd, enum admit why,
    const struct sockaddr *sa)
{
	const struct service *svc = r->svc;
	struct conn c;

	if (why != ADMIT_DENIED && svc->busy_reply != NULL)
		(void)!send(fd, svc->busy_reply, svc->busy_reply_len,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	/* A Unix client is named by its credentials, read before close. */
	conn_describe(&c, svc, fd, sa);
	close(fd);
	refused(r, why, c.peer);
}
