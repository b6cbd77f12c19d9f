/*
 * Describing one client.  The master does it before it starts a child,
 * so that the child (and the exec start, which may not format anything)
 * finds the addresses ready; `replyd -i` does it on fd 0.  A Unix domain
 * client has no address: the kernel tells who it is (SO_PEERCRED), and
 * logs name it "unix:uid=1000,pid=123".
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "client/conn.h"
#include "lib/acl.h"

/* The credentials the peer had when it connected; -1 if unknown. */
static int
peercred(int fd, struct ucred *cr)
{
	socklen_t len = sizeof(*cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cr, &len) == 0 &&
	    len == sizeof(*cr))
		return 0;
	cr->pid = 0;
	cr->uid = (uid_t)-1;
	cr->gid = (gid_t)-1;
	return -1;
}

static int
describe_unix(struct conn *c, int fd)
{
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	struct ucred cr;

	c->is_socket = c->is_unix = 1;
	if (peercred(fd, &cr) == 0)
		snprintf(c->peer, sizeof(c->peer), "unix:uid=%lu,pid=%ld",
		    (unsigned long)cr.uid, (long)cr.pid);
	else
		snprintf(c->peer, sizeof(c->peer), "unix:unknown");
	c->unix_pid = cr.pid;
	c->unix_uid = cr.uid;
	c->unix_gid = cr.gid;
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == 0 &&
	    len > offsetof(struct sockaddr_un, sun_path))
		snprintf(c->unix_path, sizeof(c->unix_path), "%.*s",
		    (int)(len - offsetof(struct sockaddr_un, sun_path)),
		    sun.sun_path);
	return 0;
}

/*
 * Describe the connection on socket fd: the peer as accept() or
 * recvfrom() gave it (NULL: ask the socket), the local end from the
 * socket.  Returns -1, with c naming "stdin", when fd is no socket (a
 * pipe or a tty under -i).
 */
int
conn_describe(struct conn *c, const struct service *svc, int fd,
    const struct sockaddr *peer)
{
	/* Zeroed for scan-build, which cannot see getpeername() fill it. */
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);

	memset(c, 0, sizeof(*c));
	c->svc = svc;
	if (peer == NULL) {
		if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
			goto notsock;
		peer = (struct sockaddr *)&ss;
	}
	// cppcheck-suppress nullPointerRedundantCheck ; peer is &ss when it came in NULL
	if (peer->sa_family == AF_UNIX)
		return describe_unix(c, fd);
	if (addr_text(peer, &c->remote) < 0)
		goto notsock;
	addr_join(&c->remote, c->peer, sizeof(c->peer));
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_text((struct sockaddr *)&ss, &c->local) == 0)
		c->is_socket = 1;
	return 0;
notsock:
	strcpy(c->peer, "stdin");
	return -1;
}

/*
 * The source a client counts as for per_source and per_source_rate: its
 * address (srckey_make), or for a Unix domain client its user id.
 */
void
conn_srckey(struct srckey *k, int fd, const struct sockaddr *peer, int bits6)
{
	struct ucred cr;

	if (peer->sa_family != AF_UNIX) {
		srckey_make(k, peer, bits6);
		return;
	}
	memset(k, 0, sizeof(*k));
	k->b[0] = AF_UNIX;
	if (peercred(fd, &cr) == 0) {
		k->b[1] = 1;	/* known, unlike every unknown one */
		memcpy(k->b + 2, &cr.uid, sizeof(cr.uid));
	}
}
