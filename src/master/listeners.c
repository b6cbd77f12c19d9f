/*
 * Opening listeners.  Every socket is non-blocking (the master must never
 * block in accept) and close-on-exec.  The default address is "::" with
 * IPV6_V6ONLY off, so one socket takes IPv4 and IPv6 clients; a host
 * without IPv6 gets 0.0.0.0 instead.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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
 * Socket activation (systemd Accept=no): the sockets passed as fds 3.. by
 * LISTEN_FDS, when LISTEN_PID is us.  Each serves the service whose port
 * (and listen address, when one is written) it is bound to; a Unix one,
 * the service that listens on its path.
 */
struct inherited {
	int			 fd;	/* -1: taken */
	char			*by;	/* upgrade: the service it served */
	struct unixsock_file	 file;	/* upgrade: the file replyd made */
};
static struct inherited	*inherited;
static size_t		 ninherited, capinherited;

/* One more inherited socket; -1 when out of memory. */
static int
inherit_add(int fd, const char *by, const struct unixsock_file *file)
{
	struct inherited *v;
	size_t cap;

	if (ninherited == capinherited) {
		cap = capinherited ? capinherited * 2 : 16;
		if ((v = reallocarray(inherited, cap, sizeof(*v))) == NULL)
			return -1;
		inherited = v;
		capinherited = cap;
	}
	v = &inherited[ninherited];
	memset(v, 0, sizeof(*v));
	v->fd = fd;
	if (file != NULL)
		v->file = *file;
	if (by != NULL && (v->by = strdup(by)) == NULL)
		return -1;
	ninherited++;
	return 0;
}

/*
 * Why fd cannot be a listener; NULL if it can.  Each is checked before
 * anything else opens a descriptor: an fd LISTEN_FDS names but nobody
 * passed would otherwise be the number our own first socket gets.
 */
static const char *
unfit(int fd)
{
	int type, domain, on;
	socklen_t len = sizeof(type);

	if (fcntl(fd, F_GETFD) < 0)
		return "is not open";
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return errno == ENOTSOCK ? "is not a socket" : strerror(errno);
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
	    (domain != AF_INET && domain != AF_INET6 && domain != AF_UNIX))
		return "is not an IP or Unix domain socket";
	if (type == SOCK_DGRAM)
		return NULL;
	if (type != SOCK_STREAM)
		return "is neither a stream nor a datagram socket";
	len = sizeof(on);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0 || !on)
		return "is a stream socket that is not listening (one "
		    "connection, as with Accept=yes, is for replyd -i)";
	return NULL;
}

/*
 * Take the activated sockets: how many there are, or -1 (logged) when
 * LISTEN_FDS names something that is no listener, so that replyd stops
 * instead of serving nothing.
 */
int
listen_inherit(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *why;
	long n, i;
	char *end;

	if (pid == NULL || fds == NULL ||
	    strtol(pid, &end, 10) != (long)getpid() || *end != '\0')
		return 0;
	n = strtol(fds, &end, 10);
	if (end == fds || *end != '\0' || n < 0 || n > 64) {
		log_msg(LOG_ERR, "socket activation: LISTEN_FDS=\"%.32s\" is "
		    "not a number of descriptors from 0 to 64", fds);
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((why = unfit(3 + i)) != NULL) {
			log_msg(LOG_ERR, "socket activation: fd %ld of "
			    "LISTEN_FDS=%ld %s", 3 + i, n, why);
			return -1;
		}
	for (i = 0; i < n; i++) {
		fcntl(3 + i, F_SETFD, FD_CLOEXEC);
		fcntl(3 + i, F_SETFL, fcntl(3 + i, F_GETFL) | O_NONBLOCK);
		if (inherit_add(3 + i, NULL, NULL) < 0) {
			log_msg(LOG_ERR, "socket activation: out of memory");
			return -1;
		}
	}
	/* Handlers must not think the sockets are theirs. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return (int)ninherited;
}

/*
 * An upgrade (upgrade.c): the old image's listener fd, which served the
 * service of that name, taken like an activated socket; file is the
 * socket file the old image made for it, which stays this image's to
 * keep in shape and remove.
 */
int
listen_adopt(int fd, const char *service, const struct unixsock_file *file)
{
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return inherit_add(fd, service, file);
}

/*
 * Whether the inherited socket fd is svc's listener spec (a Unix one: at
 * its path); names it in l->name if so.  With any_port, an IP socket may
 * have any port (port 0: the one the kernel chose for the old image).
 */
static int
fits(struct listener *l, int fd, const char *spec,
    const struct service *svc, int any_port)
{
	/* ss zeroed for scan-build, which cannot see getsockname() fill it. */
	struct sockaddr_storage ss = { 0 }, want;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	const char *path = addr_unix_path(spec);
	struct addr_text t;
	socklen_t len = sizeof(ss), wlen;
	int type, wtype = svc->proto == PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_UNIX) {
		if (path == NULL || len <= offsetof(struct sockaddr_un,
		    sun_path) || strncmp(sun->sun_path, path,
		    sizeof(sun->sun_path)) != 0)
			return 0;
		snprintf(l->name, sizeof(l->name), "%s", spec);
	} else {
		if (path != NULL || addr_text((struct sockaddr *)&ss, &t) < 0 ||
		    (!any_port && strtol(t.port, NULL, 10) != svc->port))
			return 0;
		if (spec != NULL && (addr_parse(spec, (int)strtol(t.port, NULL,
		    10), &want, &wlen) < 0 || wlen != len ||
		    memcmp(&want, &ss, len) != 0))
			return 0;
		addr_join(&t, l->name, sizeof(l->name));
	}
	len = sizeof(type);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == wtype;
}

/*
 * An inherited socket for this listener, moved into l: 0 if activated,
 * 1 if the binary before an upgrade had it; -1 if none fits.
 */
static int
take_inherited(struct listener *l, const char *spec,
    const struct service *svc)
{
	size_t i;

	for (i = 0; i < ninherited; i++) {
		struct inherited *h = &inherited[i];

		memset(l, 0, sizeof(*l));
		if (h->fd < 0 || (h->by != NULL && strcmp(h->by,
		    svc->name) != 0) || !fits(l, h->fd, spec, svc,
		    h->by != NULL && svc->port == 0))
			continue;
		l->fd = h->fd;
		l->file = h->file;
		l->spec = spec ? strdup(spec) : NULL;
		l->port = svc->port;
		l->proto = svc->proto;
		listen_opts_of(&l->opts, svc);
		h->fd = -1;
		return h->by != NULL;
	}
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	return -1;
}

/* Inherited sockets no service wanted are closed, not kept open unseen. */
void
listen_inherit_done(void)
{
	size_t i;

	for (i = 0; i < ninherited; i++) {
		struct inherited *h = &inherited[i];

		if (h->fd >= 0) {
			log_msg(LOG_WARNING, "fd %d from %s matches no service: "
			    "closed", h->fd, h->by ? "the upgraded binary" :
			    "socket activation");
			/* A service removed meanwhile: its file goes too. */
			if (h->file.made && h->by != NULL)
				unixsock_remove_fd(h->fd, &h->file);
			close(h->fd);
		}
		free(h->by);
	}
	free(inherited);
	inherited = NULL;
	ninherited = capinherited = 0;
}

/* The address fd is bound to, for "listening on" lines and a Unix spec. */
static int
bound_name(struct listener *l, int fd)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	struct addr_text t;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_UNIX) {
		snprintf(l->name, sizeof(l->name), "unix:%.*s",
		    (int)sizeof(sun->sun_path), sun->sun_path);
		return (l->spec = strdup(l->name)) != NULL ? 0 : -1;
	}
	if (addr_text((struct sockaddr *)&ss, &t) == 0)
		addr_join(&t, l->name, sizeof(l->name));
	return 0;
}

/*
 * `replyd -i` on a service's own socket: fd (the superserver's, on fd
 * 0) is the one listener of r's one service (run_keep), taken as an
 * activated socket is.  A copy is served, so that fd outlives the run;
 * its O_NONBLOCK is the superserver's too (one open file), which only
 * ever polls the socket while no replyd serves it.
 */
int
listen_run_adopt(struct run_state *r, int fd)
{
	struct svc_state *sr = &r->svc[0];
	const struct service *svc = sr->svc;
	int type, wtype = svc->proto == PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	socklen_t len = sizeof(type);
	const char *why;
	struct listener *l;

	if ((why = unfit(fd)) == NULL && (getsockopt(fd, SOL_SOCKET, SO_TYPE,
	    &type, &len) < 0 || type != wtype))
		why = svc->proto == PROTO_UDP ? "is not a UDP socket" :
		    "is not a stream socket";
	if (why != NULL) {
		log_msg(LOG_ERR, "%s: standard input %s, for a %s service",
		    svc->name, why, listen_proto(svc->proto));
		return -1;
	}
	if ((sr->ls = l = calloc(1, sizeof(*l))) == NULL)
		return -1;
	sr->nls = 1;
	l->port = svc->port;
	l->proto = svc->proto;
	if (bound_name(l, fd) < 0 ||
	    (l->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0) {
		log_msg(LOG_ERR, "%s: standard input: %s", svc->name,
		    strerror(errno));
		l->fd = -1;
		return -1;
	}
	fcntl(l->fd, F_SETFL, fcntl(l->fd, F_GETFL) | O_NONBLOCK);
	log_msg(LOG_INFO, "%s: serving %s (%s, from the superserver)",
	    svc->name, l->name, listen_kind(l));
	return 0;
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
	if ((got = take_inherited(l, spec, svc)) >= 0) {
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
