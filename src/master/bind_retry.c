/*
 * Listeners down since the start, and their retries (bind_retry.h).  A
 * down listener keeps its spec, port, protocol and options with fd -1
 * and the errno of its last try; the master loop polls only listeners
 * with an fd, and wakes for the next try.  The invariant: a service's
 * ndown is the number of its listeners with err set, so the status
 * handler, SIGUSR1 and sd_notify's STATUS agree.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/deadline.h"
#include "lib/log.h"
#include "master/bind_retry.h"
#include "master/udp_relay.h"

/* An upgrade's: the listeners the old image had down. */
static int upgrading;
static struct down_before {
	char	*service, *spec;	/* spec NULL: the default address */
}		*downs;
static size_t	 ndowns;

void
bind_upgrading(void)
{
	upgrading = 1;
}

int
bind_was_down(const char *service, const char *spec)
{
	struct down_before *v;

	if ((v = reallocarray(downs, ndowns + 1, sizeof(*v))) == NULL)
		return -1;
	downs = v;
	v += ndowns;
	v->service = strdup(service);
	v->spec = spec != NULL ? strdup(spec) : NULL;
	if (v->service == NULL || (spec != NULL && v->spec == NULL)) {
		free(v->service);
		free(v->spec);
		return -1;
	}
	ndowns++;
	return 0;
}

/* Whether the old image had svc's listener spec down. */
static int
down_before(const struct service *svc, const char *spec)
{
	size_t i;

	for (i = 0; i < ndowns; i++)
		if (strcmp(downs[i].service, svc->name) == 0 &&
		    (downs[i].spec == NULL ? spec == NULL :
		    spec != NULL && strcmp(downs[i].spec, spec) == 0))
			return 1;
	return 0;
}

/* Why l could not be bound, for a log line. */
static const char *
reason(const struct listener *l, char *buf, size_t size)
{
	const char *path = addr_unix_path(l->spec);

	if (l->err_iface)
		snprintf(buf, size, "interface \"%s\": %s%s", l->opts.interface,
		    strerror(l->err), l->err == EPERM ? " (binding to an "
		    "interface needs CAP_NET_RAW before Linux 5.7)" : "");
	else if (path != NULL && l->err == EEXIST)
		snprintf(buf, size, "%s exists and is not a socket (replyd "
		    "replaces a stale socket, never another file)", path);
	else
		snprintf(buf, size, "%s", strerror(l->err));
	return buf;
}

/* "svc: cannot listen on ADDR: REASON" and what happens next. */
static void
say_down(const char *svc, const struct listener *l, const char *next)
{
	char why[LISTEN_NAMELEN + 160];

	log_msg(LOG_ERR, "%s: cannot listen on %s: %s%s", svc, l->name,
	    reason(l, why, sizeof(why)), next);
}

/* The old run's down listener for the same service and spec. */
static const struct listener *
was_down(const struct run_state *old, const char *spec,
    const struct service *svc)
{
	const struct svc_state *sr = run_find(old, svc->name);
	struct listen_opts o;
	size_t j;

	listen_opts_of(&o, svc);
	for (j = 0; sr != NULL && j < sr->nls; j++)
		if (sr->ls[j].fd < 0 && sr->ls[j].err != 0 &&
		    listen_same(&sr->ls[j], spec, svc->port, svc->proto, &o))
			return &sr->ls[j];
	return NULL;
}

int
bind_down(struct listener *l, const char *spec, const struct service *svc,
    const struct run_state *old, int err)
{
	const struct listener *was = NULL;
	struct timespec now;

	l->fd = -1;
	l->err = err;
	if (old != NULL ? (was = was_down(old, spec, svc)) == NULL :
	    upgrading && !down_before(svc, spec)) {
		say_down(svc->name, l, "");
		return -1;
	}
	l->port = svc->port;
	l->proto = svc->proto;
	listen_opts_of(&l->opts, svc);
	if (spec != NULL && (l->spec = strdup(spec)) == NULL)
		return -1;
	if (was != NULL) {
		l->backoff = was->backoff;
		l->retries = was->retries;
		l->retry_at = was->retry_at;
		return 0;
	}
	l->backoff = 1;
	deadline_now(&now);
	deadline_after(&l->retry_at, &now, 1000L);
	return 0;
}

int
bind_start(const struct run_state *r, int none_ok)
{
	size_t i, j, up = 0;
	int fail;

	for (i = 0; i < r->n; i++)
		for (j = 0; j < r->svc[i].nls; j++)
			up += r->svc[i].ls[j].fd >= 0;
	fail = up == 0 && !none_ok;
	for (i = 0; i < r->n; i++)
		for (j = 0; j < r->svc[i].nls; j++)
			if (r->svc[i].ls[j].err != 0)
				say_down(r->svc[i].svc->name, &r->svc[i].ls[j],
				    fail ? "" : "; retrying from 1 s to every "
				    "60 s while the others serve");
	return fail ? -1 : 0;
}

/* One more try of l; 0 once it is bound. */
static int
retry_one(const struct service *svc, struct listener *l,
    const struct timespec *now)
{
	struct listener again;
	char next[48];

	l->retries++;
	if (listen_new(&again, l->spec, svc, NULL) == 0) {
		log_msg(LOG_NOTICE, "%s: listening on %s (%s, after %u failed "
		    "tr%s)", svc->name, again.name, listen_kind(&again),
		    l->retries, l->retries == 1 ? "y" : "ies");
		free(l->spec);
		*l = again;
		return 0;
	}
	l->err = errno;
	l->err_iface = again.err_iface;
	memcpy(l->name, again.name, sizeof(l->name));
	if ((l->backoff *= 2) > BIND_BACKOFF_MAX)
		l->backoff = BIND_BACKOFF_MAX;
	deadline_after(&l->retry_at, now, l->backoff * 1000L);
	snprintf(next, sizeof(next), "; retrying in %d s", l->backoff);
	say_down(svc->name, l, next);
	return -1;
}

long
bind_retry(struct run_state *r, const struct timespec *now)
{
	struct listener *l;
	size_t i, j;
	long wake = -1, ms;
	int bound = 0;

	for (i = 0; i < r->n; i++)
		for (j = 0; r->svc[i].ndown > 0 && j < r->svc[i].nls; j++) {
			l = &r->svc[i].ls[j];
			if (l->fd >= 0 || l->err == 0)
				continue;
			if ((ms = deadline_left(&l->retry_at, now)) == 0 &&
			    retry_one(r->svc[i].svc, l, now) == 0) {
				bound = 1;
				continue;
			}
			wake = deadline_sooner(wake, ms > 0 ? ms :
			    l->backoff * 1000L);
		}
	if (bound) {
		bind_count(r);
		udp_guard(r);	/* a UDP listener's port is served now */
	}
	return wake;
}

void
bind_count(struct run_state *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		r->svc[i].ndown = 0;
		for (j = 0; j < r->svc[i].nls; j++)
			r->svc[i].ndown += r->svc[i].ls[j].err != 0;
	}
}

void
bind_dump(const struct svc_state *sr, const struct timespec *now)
{
	const struct listener *l;
	char why[LISTEN_NAMELEN + 160];
	size_t j;

	for (j = 0; j < sr->nls; j++)
		if ((l = &sr->ls[j])->err != 0)
			log_msg(LOG_NOTICE, "%s: down: cannot listen on %s: %s; "
			    "%u tries failed, next in %ld s", sr->svc->name,
			    l->name, reason(l, why, sizeof(why)), l->retries,
			    (deadline_left(&l->retry_at, now) + 999) / 1000);
}
