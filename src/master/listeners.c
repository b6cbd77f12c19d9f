/*
 * Opening listeners.  Every socket is non-blocking (the master must never
 * block in accept) and close-on-exec.  The default address is "::" with
 * IPV6_V6ONLY off, so one socket takes IPv4 and IPv6 clients; a host
 * without IPv6 gets 0.0.0.0 instead.  Sockets this image did not open
 * (socket activation, an upgrade, `replyd -i`) are listen_inherit.c's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "master/bind_retry.h"
#include "master/listeners.h"

const char *
listen_proto(enum conf_proto proto)
{
	return proto == PROTO_UDP ? "udp" : "tcp";
}

/* What kind of socket l is, for "listening on" lines. */
const char *
listen_kind(const struct listener *l)
{
	return addr_unix_path(l->spec) ? "unix stream" : listen_proto(l->proto);
}

static int
bind_one(struct listener *l, const char *addr, int port)
{
	struct sockaddr_storage ss;
	struct addr_text t;
	socklen_t len;
	int fd;
	int type = l->proto == PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;

	if (addr_parse(addr, port, &ss, &len) < 0)
		return -1;
	if (addr_text((struct sockaddr *)&ss, &t) == 0)
		addr_join(&t, l->name, sizeof(l->name));
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (listen_prepare(fd, ss.ss_family, &l->opts, &l->err_iface) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen_tune(fd, &l->opts) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	/* With port 0 the kernel chose: name the port actually bound. */
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_text((struct sockaddr *)&ss, &t) == 0)
		addr_join(&t, l->name, sizeof(l->name));
	l->fd = fd;
	return 0;
}

/*
 * Open one listener; on failure l->name says what could not be bound
 * and errno why.
 */
int
listen_open(struct listener *l, const char *spec, int port,
    enum conf_proto proto, const struct listen_opts *o)
{
	int rc;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->port = port;
	l->proto = proto;
	l->opts = *o;
	if (spec != NULL)
		rc = bind_one(l, spec, port);
	else if ((rc = bind_one(l, "::", port)) < 0 &&
	    (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
		rc = bind_one(l, "0.0.0.0", port);
	if (rc == 0 && spec != NULL && (l->spec = strdup(spec)) == NULL) {
		listen_close(l);
		return -1;
	}
	return rc;
}

/*
 * A Unix listener is its path: port and the options set before bind(2)
 * do not apply.  The options set after it do not count: a reload sets
 * them on the socket it keeps (claim).
 */
int
listen_same(const struct listener *l, const char *spec, int port,
    enum conf_proto proto, const struct listen_opts *o)
{
	if ((l->spec == NULL) != (spec == NULL))
		return 0;
	if (spec != NULL && strcmp(l->spec, spec) != 0)
		return 0;
	if (addr_unix_path(spec) != NULL)
		return l->proto == proto;
	return l->port == port && l->proto == proto &&
	    l->opts.reuse_port == o->reuse_port &&
	    l->opts.freebind == o->freebind &&
	    strcmp(l->opts.interface, o->interface) == 0;
}

/* Closing a Unix listener replyd bound removes its file too. */
void
listen_close(struct listener *l)
{
	if (l->fd >= 0) {
		if (l->file.made)
			unixsock_remove(addr_unix_path(l->spec), &l->file);
		close(l->fd);
	}
	l->fd = -1;
	free(l->spec);
	l->spec = NULL;
}

/*
 * A listener of the old configuration that fits, not yet claimed: the
 * same service's first; another service's only for a fixed port (one
 * the kernel chose belongs to the service that asked for it) or a path.
 */
static struct listener *
find_old(struct run_state *old, const char *spec, const struct service *svc)
{
	struct listen_opts o;
	size_t i, j;
	int pass;

	listen_opts_of(&o, svc);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; old != NULL && i < old->n; i++) {
			int same = strcmp(old->svc[i].svc->name, svc->name) == 0;

			if (pass == 0 ? !same : same || (svc->port == 0 &&
			    addr_unix_path(spec) == NULL))
				continue;
			for (j = 0; j < old->svc[i].nls; j++) {
				struct listener *l = &old->svc[i].ls[j];

				if (!l->claimed && l->fd >= 0 && listen_same(l,
				    spec, svc->port, svc->proto, &o))
					return l;
			}
		}
	return NULL;
}

/*
 * A reload that changes a listener's address but keeps its port (or
 * turns on reuse_port) cannot bind while the old socket holds the port:
 * close the old configuration's unclaimed sockets on that port and try
 * again.  Returns how many were released.
 */
static int
release_old(struct run_state *old, const struct service *svc)
{
	size_t i, j;
	int n = 0;

	for (i = 0; old != NULL && svc->port != 0 && i < old->n; i++)
		for (j = 0; j < old->svc[i].nls; j++) {
			struct listener *l = &old->svc[i].ls[j];

			if (l->claimed || l->fd < 0 || l->port != svc->port ||
			    l->proto != svc->proto || addr_unix_path(l->spec))
				continue;
			close(l->fd);
			l->fd = -1;
			l->released = 1;
			n++;
		}
	return n;
}

/* The reload failed after all: bind a released socket again. */
static void
reclaim(struct listener *l)
{
	struct listener again;

	l->released = 0;
	if (listen_open(&again, l->spec, l->port, l->proto, &l->opts) < 0) {
		log_msg(LOG_ERR, "cannot listen on %s again: %s", l->name,
		    strerror(errno));
		return;
	}
	l->fd = again.fd;
	free(again.spec);	/* l keeps its own */
}

static int
claimed_fd(const struct run_state *old, int fd)
{
	size_t i, j;

	for (i = 0; fd >= 0 && old != NULL && i < old->n; i++)
		for (j = 0; j < old->svc[i].nls; j++)
			if (old->svc[i].ls[j].claimed &&
			    old->svc[i].ls[j].fd == fd)
				return 1;
	return 0;
}

/*
 * A Unix listener of svc at spec: a new socket, its file made with the
 * service's mode and owners.
 */
static int
open_unix(struct listener *l, const char *spec, const struct service *svc)
{
#ifdef __clang_analyzer__
	/* Only for scan-build, which cannot see that open_new() calls this
	 * only when addr_unix_path(spec), so spec, is not NULL. */
	if (spec == NULL)
		return -1;
#endif
	memset(l, 0, sizeof(*l));
	l->port = svc->port;
	l->proto = svc->proto;
	listen_opts_of(&l->opts, svc);
	snprintf(l->name, sizeof(l->name), "%s", spec);
	if ((l->spec = strdup(spec)) == NULL)
		return -1;
	l->fd = unixsock_listen(addr_unix_path(spec), svc->socket_mode,
	    svc->socket_uid, svc->socket_gid, &l->file);
	if (l->fd < 0 || listen_tune(l->fd, &l->opts) < 0) {
		int e = errno;

		listen_close(l);
		errno = e;
		return -1;
	}
	return 0;
}

int
listen_new(struct listener *l, const char *spec, const struct service *svc,
    struct run_state *old)
{
	struct listen_opts o;

	if (addr_unix_path(spec) != NULL)
		return open_unix(l, spec, svc);
	listen_opts_of(&o, svc);
	if (listen_open(l, spec, svc->port, svc->proto, &o) == 0 ||
	    (errno == EADDRINUSE && release_old(old, svc) &&
	    listen_open(l, spec, svc->port, svc->proto, &o) == 0))
		return 0;
	return -1;
}

/*
 * Take over an old listener.  A Unix one's file gets the new
 * configuration's mode and owners, and every one the new backlog,
 * keepalive and nodelay; failing that, it keeps its old ones.
 */
static void
claim(struct listener *l, struct listener *o, const char *spec,
    const struct service *svc)
{
	o->claimed = 1;
	*l = *o;
	l->claimed = 0;
	l->spec = spec ? strdup(spec) : NULL;
	listen_opts_of(&l->opts, svc);
	if (addr_unix_path(spec) != NULL && unixsock_own(addr_unix_path(spec),
	    svc->socket_mode, svc->socket_uid, svc->socket_gid, &l->file) < 0)
		log_msg(LOG_WARNING, "%s: cannot set the mode and owners of "
		    "%s: %s", svc->name, l->name, strerror(errno));
	if (listen_tune(l->fd, &l->opts) < 0)
		log_msg(LOG_WARNING, "%s: cannot set the socket options of "
		    "%s: %s", svc->name, l->name, strerror(errno));
}

/*
 * Listener j of sr: an old one, an inherited one, a new one, or one
 * that stays down for now (bind_retry.c).  -1: the run cannot be had.
 */
static int
open_one(struct svc_state *sr, size_t j, const char *spec,
    struct run_state *old)
{
	const struct service *svc = sr->svc;
	struct listener *l = &sr->ls[j], *o = find_old(old, spec, svc);
	int got;

	if (o != NULL) {
		claim(l, o, spec, svc);
		return 0;
	}
	if ((got = listen_take_inherited(l, spec, svc)) >= 0) {
		/* The old image's socket gets this image's options. */
		if (got)
			listen_tune(l->fd, &l->opts);
		log_msg(LOG_NOTICE, "%s: listening on %s (%s, %s)", svc->name,
		    l->name, listen_kind(l), got ? "kept across the upgrade" :
		    "from socket activation");
		return 0;
	}
	if (listen_new(l, spec, svc, old) == 0) {
		log_msg(LOG_NOTICE, "%s: listening on %s (%s)", svc->name,
		    l->name, listen_kind(l));
		return 0;
	}
	return bind_down(l, spec, svc, old, errno);
}

/*
 * Give every service of c its listeners: the old configuration's where
 * they fit (claimed, not yet moved), new sockets otherwise.  At start
 * (no old run) a listener that cannot be bound is down, retried while
 * the others serve; a reload needs every new one.  On failure nothing
 * of old has changed.
 */
int
listen_run_open(struct run_state *r, struct run_state *old)
{
	size_t i, j, n;

	for (i = 0; i < r->n; i++) {
		struct svc_state *sr = &r->svc[i];
		const struct service *svc = sr->svc;

		for (n = 0; svc->listen != NULL && svc->listen[n] != NULL; n++)
			;
		sr->nls = n > 0 ? n : 1;
		if ((sr->ls = calloc(sr->nls, sizeof(*sr->ls))) == NULL)
			goto fail;
		for (j = 0; j < sr->nls; j++)
			sr->ls[j].fd = -1;
		for (j = 0; j < sr->nls; j++)
			if (open_one(sr, j, n > 0 ? svc->listen[j] : NULL,
			    old) < 0)
				goto fail;
	}
	bind_count(r);
	return 0;
fail:
	for (i = 0; i < r->n; i++) {
		for (j = 0; j < r->svc[i].nls && r->svc[i].ls; j++) {
			struct listener *l = &r->svc[i].ls[j];

			if (claimed_fd(old, l->fd))
				l->fd = -1;	/* still old's */
			listen_close(l);
		}
		free(r->svc[i].ls);
		r->svc[i].ls = NULL;
		r->svc[i].nls = 0;
	}
	for (i = 0; old != NULL && i < old->n; i++)
		for (j = 0; j < old->svc[i].nls; j++) {
			old->svc[i].ls[j].claimed = 0;
			if (old->svc[i].ls[j].released)
				reclaim(&old->svc[i].ls[j]);
		}
	return -1;
}

/* Close the listeners of r, except those a newer run claimed. */
void
listen_run_close(struct run_state *r)
{
	size_t i, j;

	for (i = 0; r != NULL && i < r->n; i++) {
		for (j = 0; j < r->svc[i].nls; j++) {
			if (r->svc[i].ls[j].claimed)
				r->svc[i].ls[j].fd = -1;
			listen_close(&r->svc[i].ls[j]);
		}
		free(r->svc[i].ls);
		r->svc[i].ls = NULL;
		r->svc[i].nls = 0;
	}
}
