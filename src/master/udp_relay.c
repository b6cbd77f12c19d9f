/*
 * UDP exchanges: receiving and screening datagrams (nothing that could
 * start a loop of replies is answered), and the relay between a child's
 * stdout and the client, for the master (accept.c, reap.c) in every
 * mode, `replyd -i` under inetd's dgram/wait included.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/admit.h"
#include "handlers/handler.h"
#include "lib/log.h"
#include "lib/rate.h"
#include "master/listeners.h"
#include "master/udp_relay.h"

/*
 * Source ports never answered, since whatever sends from them answers
 * datagrams too, and two servers answering each other would go on
 * forever (the "Loop DoS" of CVE-2024-2169): port 0, the well-known
 * ports of services that answer any datagram (echo, systat, daytime,
 * QOTD, chargen, time, DNS, TFTP, portmap, NTP, NetBIOS, SNMP and its
 * traps, CLDAP, SSDP, mDNS, memcached), and every UDP port this replyd
 * itself serves or its file names (udp_guard: under inetd each service
 * of the file may be another `replyd -i`; a TCP port answers no
 * datagram, and a client's UDP source port may well have the number of
 * one).  A datagram from the very address and port it arrived on is
 * replyd talking to itself.  A responder on any other port (another
 * replyd, another host) no list can know: the budget per peer
 * (udp_budget) ends such a loop.
 */
static const unsigned short responders[] = {
	7, 11, 13, 17, 19, 37, 53, 69, 111, 123, 137, 161, 162, 389, 1900,
	5353, 11211
};
static unsigned char served[65536 / 8];

enum drop { DROP_NONE, DROP_PORT0, DROP_SELF, DROP_SERVED, DROP_ANSWERS,
	DROP_BUDGET, DROP_KINDS };

static const char *const drop_why[DROP_KINDS] = {
	[DROP_PORT0] = "source port 0",
	[DROP_SELF] = "our own address",
	[DROP_SERVED] = "a port replyd serves",
	[DROP_ANSWERS] = "the port of a service that answers datagrams",
	[DROP_BUDGET] = "over " UDP_PEER_RATE_TEXT " answers a second to one "
	    "address and port (a loop?)",
};

/*
 * Answers to one address and port: UDP_PEER_RATE a second, as many at
 * once (a token bucket).  Two responders that answer each other
 * exchange datagrams as fast as they can fork, about a thousand a
 * second; at the first datagram past the budget one side stays silent
 * and the loop ends, within a few milliseconds.  A real client asks far
 * less from one port, or asks from a new port each time.  A fixed
 * table: a flood of peers cannot grow it, and a peer that loses its
 * slot only gets a fresh budget.
 */
#define UDP_PEERS 1024

static struct peer_budget {
	struct srckey	key;
	int		port;
	struct bucket	b;
} peers[UDP_PEERS];

static int
port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

/* IPv4 as IPv6 sees it on a dual-stack socket: ::ffff:a.b.c.d. */
static void
map4(const struct in_addr *in, struct in6_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[10] = a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], in, 4);
}

/* The address of ss as IPv6; 0, or -1 for another family. */
static int
addr6_of(const struct sockaddr_storage *ss, struct in6_addr *a)
{
	if (ss->ss_family == AF_INET6)
		*a = ((const struct sockaddr_in6 *)ss)->sin6_addr;
	else if (ss->ss_family == AF_INET)
		map4(&((const struct sockaddr_in *)ss)->sin_addr, a);
	else
		return -1;
	return 0;
}

static void
udp_serve_port(int port)
{
	if (port > 0 && port < 65536)
		served[port / 8] |= 1 << (port % 8);
}

/*
 * Ask the kernel for the address each datagram arrived on: on a
 * wildcard socket getsockname() says only "::".  One of the two fails
 * on a socket of the other family, and an IPv6 socket reports IPv4
 * datagrams with either.
 */
static void
udp_want_pktinfo(int fd)
{
	int on = 1;

	(void)setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
}

/*
 * Once the master's listeners are open (at start and after a reload):
 * note every UDP port it serves or its file names, and have its UDP
 * sockets, inherited ones included, report arrival addresses.
 */
void
udp_guard(const struct run_state *r)
{
	/* Zeroed for scan-build, which cannot see getsockname() fill it. */
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	size_t i, j;

	memset(served, 0, sizeof(served));
	for (i = 0; r->conf != NULL && i < r->conf->nsvc; i++)
		if (r->conf->svc[i].proto == PROTO_UDP)
			udp_serve_port(r->conf->svc[i].port);
	for (i = 0; i < r->n; i++)
		for (j = 0; j < r->svc[i].nls; j++) {
			const struct listener *l = &r->svc[i].ls[j];

			len = sizeof(ss);
			if (l->fd < 0 ||
			    getsockname(l->fd, (struct sockaddr *)&ss, &len) < 0)
				continue;
			if (l->proto != PROTO_UDP)
				continue;
			udp_serve_port(port_of(&ss));
			udp_want_pktinfo(l->fd);
		}
}

/* Where the datagram of m arrived, as IPv6; 0, or -1 if not said. */
static int
arrived_on(struct msghdr *m, struct in6_addr *a)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(m); cm != NULL; cm = CMSG_NXTHDR(m, cm)) {
		if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			*a = pi.ipi6_addr;
			return 0;
		}
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			map4(&pi.ipi_addr, a);
			return 0;
		}
	}
	return -1;
}

/* Why a datagram from peer must not be answered, or DROP_NONE. */
static enum drop
screen(int fd, struct msghdr *m, const struct sockaddr_storage *peer)
{
	/* Zeroed for scan-build, which cannot see getsockname() fill it. */
	struct sockaddr_storage self = { 0 };
	struct in6_addr from, to;
	socklen_t len = sizeof(self);
	int port = port_of(peer);
	size_t i;

	if (port == 0)
		return DROP_PORT0;
	if (getsockname(fd, (struct sockaddr *)&self, &len) == 0 &&
	    port == port_of(&self) && addr6_of(peer, &from) == 0 &&
	    (arrived_on(m, &to) == 0 || addr6_of(&self, &to) == 0) &&
	    memcmp(&from, &to, sizeof(from)) == 0)
		return DROP_SELF;
	if (served[port / 8] & (1 << (port % 8)))
		return DROP_SERVED;
	for (i = 0; i < sizeof(responders) / sizeof(responders[0]); i++)
		if (port == responders[i])
			return DROP_ANSWERS;
	return DROP_NONE;
}

/* Logged once a second per service and reason (admit_note). */
static void
log_drop(const struct service *svc, const struct sockaddr_storage *peer,
    enum drop why)
{
	char text[ADDR_STRLEN] = "?";
	struct addr_text t;

	if (addr_text((const struct sockaddr *)peer, &t) == 0)
		addr_join(&t, text, sizeof(text));
	admit_note(svc, drop_why[why], "%s: dropped a datagram from "
	    "%s: %s", svc->name, text, drop_why[why]);
}

/*
 * Whether the datagram of req may be answered within its peer's budget
 * (1), or is dropped (0, logged).
 */
int
udp_budget(const struct service *svc, const struct udp_req *req,
    const struct timespec *now)
{
	const struct sockaddr *sa = (const struct sockaddr *)&req->peer;
	struct peer_budget *p;
	struct srckey k;
	int port = port_of(&req->peer);

	srckey_make(&k, sa, 128);
	p = &peers[(srckey_hash(&k) ^ (unsigned)port * 2654435761u) %
	    UDP_PEERS];
	if (p->port != port || !srckey_eq(&p->key, &k)) {
		memset(p, 0, sizeof(*p));
		p->key = k;
		p->port = port;
	}
	if (bucket_take(&p->b, UDP_PEER_RATE, now))
		return 1;
	log_drop(svc, &req->peer, DROP_BUDGET);
	return 0;
}

/*
 * Take one datagram from fd: 1 if one is there to serve, 0 if none is
 * waiting, -1 if it was dropped (screen() says why).
 */
int
udp_recv(const struct service *svc, int fd, struct udp_req *req)
{
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(struct in_pktinfo)) +
				  CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct iovec iov;
	struct msghdr m;
	enum drop why;
	ssize_t n;

	if (req->data == NULL && (req->data = malloc(UDP_MAX)) == NULL)
		return 0;
	iov.iov_base = req->data;
	iov.iov_len = UDP_MAX;
	memset(&m, 0, sizeof(m));
	m.msg_name = &req->peer;
	m.msg_namelen = sizeof(req->peer);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = &ctl;
	m.msg_controllen = sizeof(ctl);
	if ((n = recvmsg(fd, &m, MSG_DONTWAIT)) < 0)
		return 0;
	req->peerlen = m.msg_namelen;
	req->len = n;
	if ((why = screen(fd, &m, &req->peer)) == DROP_NONE)
		return 1;
	log_drop(svc, &req->peer, why);
	return -1;
}

/*
 * RFC 868 asks the time over UDP with an empty datagram, and time's 4
 * bytes or daytime's line are no amplification worth refusing: the
 * answers of HANDLER_FIXED_ANSWER handlers are sent whatever
 * max_amplification says.  A handler whose
 * answer the client can make long (reply, echo, exec...) stays bound.
 */
#define UDP_FIXED_ANSWER 64

static size_t
fixed_answer(const struct service *svc)
{
	return svc->handler->flags & HANDLER_FIXED_ANSWER ?
	    UDP_FIXED_ANSWER : 0;
}

/*
 * Set up the relay for one datagram: child[0] is the handler's stdin,
 * holding the request and then EOF; child[1] its stdout.
 */
int
udp_start(const struct service *svc, const struct udp_req *req, int lfd,
    struct udp_relay *r, int child[2])
{
	struct addr_text t;
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
	r->free = fixed_answer(svc);
	snprintf(r->name, sizeof(r->name), "%s", svc->name);
	r->log_requests = svc->log >= CONF_LOG_REQUESTS;
	if (addr_text((struct sockaddr *)&req->peer, &t) == 0)
		addr_join(&t, r->peertext, sizeof(r->peertext));
	child[0] = in[1];
	child[1] = out[1];
	return 0;
}

/*
 * A reply that could not be sent: the first of an exchange is logged,
 * the others counted (udp_end tells how many), so that a handler
 * writing faster than the socket drains cannot flood the log.
 */
static void
not_sent(struct udp_relay *r, ssize_t n, const char *why)
{
	if (r->failed++ == 0)
		log_msg(LOG_NOTICE, "%s: %s: reply not sent: %zd bytes: %s",
		    r->name, r->peertext, n, why);
}

/*
 * What a datagram of n bytes weighs on the wire, as amplification is
 * measured: its Ethernet, IP and UDP headers counted (42 bytes over
 * IPv4, 62 over IPv6).  One byte per write would otherwise let a handler
 * answer a 100-byte request with 300 datagrams, 91 times its weight.
 */
static double
on_wire(const struct udp_relay *r, size_t n)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&r->peer;
	int v6 = r->peer.ss_family == AF_INET6 &&
	    !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);

	return (double)n + (v6 ? 62 : 42);
}

/*
 * Whether a reply of n more bytes stays within max_amplification: as
 * many datagrams as the factor says (one at least), and as many bytes
 * on the wire, headers counted, as the request weighed times the factor
 * (or the fixed answer, if larger).  Logged once, when it no longer does.
 */
static int
within(struct udp_relay *r, size_t n)
{
	double limit = r->amp * on_wire(r, r->reqlen);
	unsigned most = r->amp < 1 ? 1 : (unsigned)r->amp;

	if (r->free > 0 && limit < on_wire(r, r->free))
		limit = on_wire(r, r->free);
	if (r->amp <= 0)
		return 1;
	if (r->dgrams + 1 > most)
		log_msg(LOG_NOTICE, "%s: %s: reply not sent: datagram %u for a "
		    "%zu-byte request is over max_amplification (%g)",
		    r->name, r->peertext, r->dgrams + 1, r->reqlen, r->amp);
	else if (on_wire(r, r->sent + n) + r->dgrams * on_wire(r, 0) > limit)
		log_msg(LOG_NOTICE, "%s: %s: reply not sent: %zu bytes for a "
		    "%zu-byte request is over max_amplification (%g, headers "
		    "counted)", r->name, r->peertext, r->sent + n, r->reqlen,
		    r->amp);
	else
		return 1;
	return 0;
}

/*
 * Relay what the child wrote, one message per datagram, within the
 * amplification limit.  Every send is non-blocking: a full socket
 * buffer drops the reply (logged), never stalls the master.  Only what
 * the kernel took counts as sent.  Returns 1 while the child may write
 * more, 0 once it closed its end or went over the limit (the relay is
 * then ended).
 */
int
udp_pump(struct udp_relay *r)
{
	static unsigned char buf[UDP_MAX];
	ssize_t n;

	while (r->fd >= 0) {
		/* MSG_TRUNC: the message's real length, even past buf. */
		n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 1;
		if (n <= 0) {
			udp_end(r);
			return 0;
		}
		if (n > (ssize_t)sizeof(buf)) {
			not_sent(r, n, "larger than one datagram");
			continue;
		}
		/*
		 * Past the limit nothing more is read: the relay ends, and
		 * the handler's next write fails (ECONNRESET) instead of keeping
		 * the master reading and discarding.
		 */
		if (r->cut || !within(r, n)) {
			r->cut = 1;
			udp_end(r);
			return 0;
		}
		if (sendto(r->out, buf, n, MSG_DONTWAIT,
		    (struct sockaddr *)&r->peer, r->peerlen) == n) {
			r->sent += n;
			r->dgrams++;
		} else
			not_sent(r, n, strerror(errno));
	}
	return 0;
}

/*
 * The end of an exchange: what was really sent is logged here, where it
 * is known, not by the handler, whose write reached only the relay.
 */
void
udp_end(struct udp_relay *r)
{
	if (r->fd >= 0) {
		if (r->failed > 1)
			log_msg(LOG_NOTICE, "%s: %s: %u more replies not sent",
			    r->name, r->peertext, r->failed - 1);
		if (r->sent > 0 && r->log_requests)
			log_msg(LOG_INFO, "%s: %s: sent %zu bytes", r->name,
			    r->peertext, r->sent);
		close(r->fd);
	}
	if (r->out >= 0)
		close(r->out);
	r->fd = r->out = -1;
}
