/*
 * Describing one client.  The master does it before it starts a child,
 * so that the child (and the exec start, which may not format anything)
 * finds the addresses ready; `replyd -i` does it on fd 0.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "conn.h"
#include "handler.h"

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
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(c, 0, sizeof(*c));
	c->svc = svc;
	if (peer == NULL) {
		if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
			goto notsock;
		peer = (struct sockaddr *)&ss;
	}
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
