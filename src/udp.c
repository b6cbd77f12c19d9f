/*
 * UDP exchanges: receiving and screening datagrams, the relay between a
 * child's stdout and the client, and the same done one datagram at a
 * time for "replyd -i" under inetd's dgram/wait.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "conn.h"
#include "log.h"
#include "spawn.h"
#include "udp.h"

static int
port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

/*
 * Take one datagram from fd: 1 if one is there to serve, 0 if none is
 * waiting, -1 if it was dropped: from port 0, or from the service's own
 * address (a reply to ourselves would loop).
 */
int
udp_recv(const struct service *svc, int fd, struct udp_req *req)
{
	struct sockaddr_storage self;
	socklen_t slen = sizeof(self);
	struct addr_text t;
	ssize_t n;

	if (req->data == NULL && (req->data = malloc(UDP_MAX)) == NULL)
		return 0;
	req->peerlen = sizeof(req->peer);
	n = recvfrom(fd, req->data, UDP_MAX, MSG_DONTWAIT,
	    (struct sockaddr *)&req->peer, &req->peerlen);
	if (n < 0)
		return 0;
	req->len = n;
	if (port_of(&req->peer) != 0 && (getsockname(fd,
	    (struct sockaddr *)&self, &slen) < 0 || slen != req->peerlen ||
	    memcmp(&self, &req->peer, slen) != 0))
		return 1;
	if (addr_text((struct sockaddr *)&req->peer, &t) == 0)
		log_msg(LOG_NOTICE, "%s: dropped a datagram from %s:%s: %s",
		    svc->name, t.ip, t.port, port_of(&req->peer) == 0 ?
		    "source port 0" : "our own address");
	return -1;
}

/*
 * Set up the relay for one datagram: child[0] is the handler's stdin,
 * holding the request and then EOF; child[1] its stdout.
 */
int
udp_start(const struct service *svc, const struct udp_req *req, int lfd,
    struct udp_relay *r, int child[2])
{
	int in[2], out[2];

	memset(r, 0, sizeof(*r));
	r->fd = r->out = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, out) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	/* The request waits in the socket buffer; our end is not needed. */
	if ((req->len > 0 && send(in[0], req->data, req->len,
	    MSG_DONTWAIT) != (ssize_t)req->len) ||
	    (r->out = fcntl(lfd, F_DUPFD_CLOEXEC, 3)) < 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return -1;
	}
	close(in[0]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	r->fd = out[0];
	r->peer = req->peer;
	r->peerlen = req->peerlen;
	r->reqlen = req->len;
	r->amp = svc->max_amplification;
	snprintf(r->name, sizeof(r->name), "%s", svc->name);
	child[0] = in[1];
	child[1] = out[1];
	return 0;
}

/*
 * Relay what the child wrote, one message per datagram, within the
 * amplification limit.  Returns 1 while the child may write more, 0 once
 * it closed its end (the relay is then ended).
 */
int
udp_pump(struct udp_relay *r)
{
	static unsigned char buf[UDP_MAX];
	double limit = r->amp * (double)r->reqlen;
	struct addr_text t;
	ssize_t n;

	while (r->fd >= 0) {
		n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 1;
		if (n <= 0) {
			udp_end(r);
			return 0;
		}
		if (!r->cut && r->amp > 0 &&
		    (double)(r->sent + n) > limit) {
			r->cut = 1;
			addr_text((struct sockaddr *)&r->peer, &t);
			log_msg(LOG_NOTICE, "%s: %s:%s: reply not sent: %zu bytes "
			    "for a %zu-byte request is over max_amplification "
			    "(%g)", r->name, t.ip, t.port, r->sent + n,
			    r->reqlen, r->amp);
		}
		if (r->cut)
			continue;
		if (sendto(r->out, buf, n, MSG_DONTWAIT,
		    (struct sockaddr *)&r->peer, r->peerlen) == n)
			r->sent += n;
	}
	return 0;
}

void
udp_end(struct udp_relay *r)
{
	if (r->fd >= 0)
		close(r->fd);
	if (r->out >= 0)
		close(r->out);
	r->fd = r->out = -1;
}

/* One exchange in "replyd -i" mode: fork, relay, wait. */
static void
inetd_exchange(const struct service *svc, const struct udp_req *req)
{
	struct udp_relay r;
	struct pollfd p;
	struct conn c;
	int child[2], st;
	pid_t pid;

	if (udp_start(svc, req, 0, &r, child) < 0) {
		log_msg(LOG_ERR, "%s: socketpair: %s", svc->name,
		    strerror(errno));
		return;
	}
	conn_describe(&c, svc, 0, (struct sockaddr *)&req->peer);
	pid = spawn_conn(&c, SPAWN_FORK,
	    &(struct spawn_fds){ child[0], child[1], -1 });
	close(child[0]);
	close(child[1]);
	p.fd = r.fd;
	p.events = POLLIN;
	while (pid > 0 && udp_pump(&r))
		poll(&p, 1, 1000);
	udp_end(&r);
	if (pid > 0)
		waitpid(pid, &st, 0);
}

/*
 * inetd's "dgram wait": the service socket itself is on fd 0.  Serve
 * datagrams until none came for `timeout` seconds, then exit so that
 * inetd takes the socket back.
 */
int
udp_inetd(const struct service *svc)
{
	struct udp_req req = { 0 };
	struct pollfd p = { .fd = 0, .events = POLLIN };
	int r;

	while ((r = poll(&p, 1, svc->timeout * 1000)) != 0) {
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && udp_recv(svc, 0, &req) > 0)
			inetd_exchange(svc, &req);
	}
	free(req.data);
	return 0;
}
