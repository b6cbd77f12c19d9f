/*
 * A listener's socket options, from its service's listener keys
 * (replyd.conf(5)): freebind and interface shape the bind, so they are
 * set before it and a change needs a new socket; keepalive, nodelay and
 * the backlog are set on the listening socket, which the connections
 * accept(2) returns inherit, and a reload sets them again in place.
 * Sockets from socket activation keep what systemd's unit gave them.
 */
#include "config.h"

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"
#include "master/listeners.h"

void
listen_opts_of(struct listen_opts *o, const struct service *svc)
{
	memset(o, 0, sizeof(*o));
	o->reuse_port = svc->reuse_port;
	o->freebind = svc->freebind;
	if (svc->interface != NULL)
		snprintf(o->interface, sizeof(o->interface), "%s",
		    svc->interface);
	o->keepalive = svc->keepalive;
	o->nodelay = svc->nodelay;
	o->backlog = svc->backlog;
}

/*
 * -t: an interface that does not exist now is said, not refused: at
 * start its listeners are retried until it appears (a tunnel, a bridge
 * made later), so the file is valid, but a misspelt name would be
 * retried for ever.
 */
void
listen_opts_check(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++) {
		const struct service *svc = &c->svc[i];

		if (!svc->disable && svc->interface != NULL &&
		    if_nametoindex(svc->interface) == 0)
			log_msg(LOG_WARNING, "%s: service \"%s\": warning: "
			    "interface \"%s\" does not exist now; its "
			    "listeners will wait for it", c->path, svc->name,
			    svc->interface);
	}
}

static int
set_int(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

/*
 * Before bind(2).  *iface_failed says it was SO_BINDTODEVICE that failed
 * (an unknown interface, or no CAP_NET_RAW before Linux 5.7).
 */
int
listen_prepare(int fd, int family, const struct listen_opts *o,
    int *iface_failed)
{
	*iface_failed = 0;
	if (set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0 ||
	    (o->reuse_port && set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1) < 0))
		return -1;
	/* "::" takes IPv4 clients too: one socket for both. */
	if (family == AF_INET6 && set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    0) < 0)
		return -1;
	if (o->freebind && (family == AF_INET6 ?
	    set_int(fd, IPPROTO_IPV6, IPV6_FREEBIND, 1) :
	    set_int(fd, IPPROTO_IP, IP_FREEBIND, 1)) < 0)
		return -1;
	if (o->interface[0] != '\0' && setsockopt(fd, SOL_SOCKET,
	    SO_BINDTODEVICE, o->interface, strlen(o->interface)) < 0) {
		*iface_failed = 1;
		return -1;
	}
	return 0;
}

/*
 * After bind(2): a stream socket listens with the backlog (again, on a
 * reload: Linux takes a new one), a TCP one gets keepalive and nodelay.
 */
int
listen_tune(int fd, const struct listen_opts *o)
{
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -1;
	len = sizeof(domain);
	if (type != SOCK_STREAM ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return type != SOCK_STREAM ? 0 : -1;
	if (listen(fd, o->backlog > 0 ? o->backlog : SOMAXCONN) < 0)
		return -1;
	if (domain != AF_INET && domain != AF_INET6)
		return 0;
	if (set_int(fd, SOL_SOCKET, SO_KEEPALIVE, o->keepalive) < 0 ||
	    set_int(fd, IPPROTO_TCP, TCP_NODELAY, o->nodelay) < 0)
		return -1;
	return 0;
}
