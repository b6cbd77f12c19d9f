/*
 * Listeners this image did not open: the sockets systemd passes
 * (LISTEN_FDS, Accept=no), those an upgrade hands over and, under
 * `replyd -i`, the superserver's on standard input.  Each is
 * checked before anything else opens a descriptor, waits in a table
 * until a service's listener that fits it takes it, and is closed when
 * none does: an inherited socket is never kept open unseen.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/log.h"
#include "master/listeners.h"

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
int
listen_take_inherited(struct listener *l, const char *spec,
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
