/*
 * Opening listeners.  Every socket is non-blocking (the master must never
 * block in accept) and close-on-exec.  The default address is "::" with
 * IPV6_V6ONLY off, so one socket takes IPv4 and IPv6 clients; a host
 * without IPv6 gets 0.0.0.0 instead.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen.h"

const char *
listen_proto(enum conf_proto proto)
{
	return proto == PROTO_UDP ? "udp" : "tcp";
}

static int
bind_one(struct listener *l, const char *addr, int port, int reuse_port)
{
	struct sockaddr_storage ss;
	struct addr_text t;
	socklen_t len;
	int fd, on = 1, off = 0;
	int type = l->proto == PROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;

	if (addr_parse(addr, port, &ss, &len) < 0)
		return -1;
	if (addr_text((struct sockaddr *)&ss, &t) == 0)
		addr_join(&t, l->name, sizeof(l->name));
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on,
	    sizeof(on)) < 0) ||
	    (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &off, sizeof(off)) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)) {
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
    enum conf_proto proto, int reuse_port)
{
	int rc;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->port = port;
	l->proto = proto;
	l->reuse_port = reuse_port;
	if (spec != NULL)
		rc = bind_one(l, spec, port, reuse_port);
	else if ((rc = bind_one(l, "::", port, reuse_port)) < 0 &&
	    (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL))
		rc = bind_one(l, "0.0.0.0", port, reuse_port);
	if (rc == 0 && spec != NULL && (l->spec = strdup(spec)) == NULL) {
		listen_close(l);
		return -1;
	}
	return rc;
}

int
listen_same(const struct listener *l, const char *spec, int port,
    enum conf_proto proto, int reuse_port)
{
	if ((l->spec == NULL) != (spec == NULL))
		return 0;
	if (spec != NULL && strcmp(l->spec, spec) != 0)
		return 0;
	return l->port == port && l->proto == proto &&
	    l->reuse_port == reuse_port;
}

void
listen_close(struct listener *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->spec);
	l->spec = NULL;
}
