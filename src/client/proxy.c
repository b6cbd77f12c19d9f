/*
 * Reading a PROXY header without reading a byte of the request behind it:
 * the child peeks until the whole header is there (or the timeout ends
 * it), parses it, then consumes exactly its length.  proxy_parse() is a
 * pure function over a buffer, for the unit tests and the fuzzer.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/proxy.h"
#include "lib/addr.h"
#include "lib/deadline.h"

static const unsigned char v2sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* 1 if buf starts like a v1 or v2 header (as far as it goes). */
int
proxy_looks_like(const unsigned char *buf, size_t n)
{
	size_t k = n < 12 ? n : 12;

	if (n == 0)
		return 0;
	if (memcmp(buf, v2sig, k) == 0)
		return 1;
	k = n < 6 ? n : 6;
	return memcmp(buf, "PROXY ", k) == 0;
}

/*
 * 1 if buf begins with a whole signature, v1's "PROXY " or v2's twelve
 * bytes: what a client that only happens to start like one (a lone "P",
 * a blank line) does not send.
 */
int
proxy_signature(const unsigned char *buf, size_t n)
{
	return (n >= 12 && memcmp(buf, v2sig, 12) == 0) ||
	    (n >= 6 && memcmp(buf, "PROXY ", 6) == 0);
}

static int
v1_addr(const char *ip, const char *port, int family,
    struct sockaddr_storage *ss)
{
	char *end;
	long p;
	socklen_t len;

	p = strtol(port, &end, 10);
	if (*port == '\0' || *end != '\0' || p < 0 || p > 65535 ||
	    (port[0] == '0' && port[1] != '\0'))
		return -1;
	if (addr_parse(ip, (int)p, ss, &len) < 0 || ss->ss_family != family ||
	    ip[0] == '[')
		return -1;
	return 0;
}

/* "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n", at most 107 bytes. */
static int
parse_v1(const unsigned char *buf, size_t n, struct proxy_info *pi)
{
	char line[108], *f[7], *save = NULL;
	const unsigned char *crlf;
	size_t len;
	int nf = 0, family;

	const unsigned char *lf = memchr(buf, '\n', n < 107 ? n : 107);

	/* The CRLF ends by byte 107: its CR is among the first 106. */
	if ((crlf = memchr(buf, '\r', n < 106 ? n : 106)) == NULL)
		return n >= 106 || lf != NULL ? -1 : 0;
	if (lf != NULL && lf < crlf)
		return -1;
	len = crlf - buf;
	if (len + 1 >= n)
		return 0;
	if (crlf[1] != '\n' || memchr(buf, '\0', len) != NULL)
		return -1;
	memcpy(line, buf, len);
	line[len] = '\0';
	// cppcheck-suppress arrayIndexThenCheck ; f has 7 slots: f[nf] is read before nf < 6 stops the loop, f[6] included
	for (f[nf] = strtok_r(line, " ", &save); f[nf] != NULL && nf < 6;
	    f[++nf] = strtok_r(NULL, " ", &save))
		;
	pi->version = 1;
	if (nf >= 2 && strcmp(f[0], "PROXY") == 0 &&
	    strcmp(f[1], "UNKNOWN") == 0) {
		pi->unknown = 1;
		return (int)len + 2;
	}
	if (nf != 6 || f[6] != NULL || strcmp(f[0], "PROXY") != 0)
		return -1;
	if (strcmp(f[1], "TCP4") == 0)
		family = AF_INET;
	else if (strcmp(f[1], "TCP6") == 0)
		family = AF_INET6;
	else
		return -1;
	if (v1_addr(f[2], f[4], family, &pi->src) < 0 ||
	    v1_addr(f[3], f[5], family, &pi->dst) < 0)
		return -1;
	return (int)len + 2;
}

static void
v2_set(struct sockaddr_storage *ss, int family, const unsigned char *a,
    const unsigned char *port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, a, 4);
		memcpy(&in->sin_port, port, 2);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a, 16);
		memcpy(&in6->sin6_port, port, 2);
	}
}

/*
 * The address block's size for a v2 family byte (address family in the
 * high nibble, transport in the low one), 0 for what carries no address
 * we use, -1 for a value the specification does not define.
 */
static int
v2_addr_len(int fam)
{
	int af = fam >> 4, tp = fam & 0x0f;

	if (af > 3 || tp > 2)
		return -1;
	if (af == 1 && tp == 1)
		return 12;		/* TCP over IPv4 */
	if (af == 2 && tp == 1)
		return 36;		/* TCP over IPv6 */
	return 0;
}

/*
 * The specification's receiver takes what it cannot use (AF_UNIX, a
 * datagram transport, UNSPEC) as UNSPEC: the connection is served with
 * the balancer as its peer, since HAProxy frontends on Unix sockets send
 * exactly that.  Values it does not define are refused.
 */
static int
parse_v2(const unsigned char *buf, size_t n, struct proxy_info *pi)
{
	size_t len;
	int cmd, fam, alen;

	if (n < 16)
		return 0;
	len = 16 + ((size_t)buf[14] << 8 | buf[15]);
	if ((buf[12] >> 4) != 2)
		return -1;
	if (n < len)
		return 0;
	cmd = buf[12] & 0x0f;
	fam = buf[13];
	pi->version = 2;
	if (cmd == 0) {			/* LOCAL: the balancer's own */
		pi->local = 1;
		return (int)len;
	}
	if (cmd != 1 || (alen = v2_addr_len(fam)) < 0 ||
	    len < 16 + (size_t)alen)
		return -1;
	if (fam == 0x11) {
		v2_set(&pi->src, AF_INET, buf + 16, buf + 24);
		v2_set(&pi->dst, AF_INET, buf + 20, buf + 26);
	} else if (fam == 0x21) {
		v2_set(&pi->src, AF_INET6, buf + 16, buf + 48);
		v2_set(&pi->dst, AF_INET6, buf + 32, buf + 50);
	} else
		pi->unknown = 1;
	return (int)len;
}

/*
 * The header's length if buf holds a whole valid one, 0 if more bytes
 * are needed to tell, -1 if it is not a valid header.
 */
int
proxy_parse(const unsigned char *buf, size_t n, struct proxy_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	if (!proxy_looks_like(buf, n))
		return -1;
	if (n >= 12 && memcmp(buf, v2sig, 12) == 0)
		return parse_v2(buf, n, pi);
	if (n < 12 && memcmp(buf, v2sig, n) == 0)
		return 0;
	return parse_v1(buf, n, pi);
}

/*
 * A LOCAL header is the balancer speaking for itself.  HAProxy's plain
 * check sends it and closes; its content checks (tcp-check send, an
 * HTTP check) send a request behind it and want the answer.  So LOCAL
 * with data behind it, or with the connection still open after
 * LOCAL_WAIT_MS, is served as the balancer's own connection; closed
 * with nothing behind it, it is only a check.
 */
#define LOCAL_WAIT_MS 50

static int
local_has_data(int fd, int buffered)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
	char b;

	if (buffered)
		return 1;
	if (poll(&p, 1, LOCAL_WAIT_MS) == 0)
		return 1;
	return recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
}

/*
 * Read the header from fd: 0 and *pi on success (pi->local only for a
 * check that carries no request), -1 with errno EPROTO
 * (malformed, or closed mid-header), ETIMEDOUT, ENOTCONN (closed or
 * reset before a single byte: a balancer's connect-only check), or that
 * of a failed read.
 */
int
proxy_read(int fd, int timeout, struct proxy_info *pi)
{
	unsigned char buf[PROXY_MAX];
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
	struct timespec deadline;
	ssize_t got = 0, r;
	int len, ms;

	/* One deadline for the whole header, however it trickles in. */
	deadline_in(&deadline, timeout);
	for (;;) {
		if ((ms = deadline_ms_left(&deadline)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if ((r = poll(&p, 1, ms)) < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;	/* EINTR, or the deadline: said above */
		r = recv(fd, buf, sizeof(buf), MSG_PEEK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || (r < 0 && errno == ECONNRESET && got == 0))
			errno = ENOTCONN;
		if (r <= 0)
			return -1;
		if (r == got) {
			/* Part of a header: the rest is on its way, or not. */
			if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
				errno = EPROTO;
				return -1;
			}
			usleep(10000);
			continue;
		}
		got = r;
		if ((len = proxy_parse(buf, got, pi)) < 0) {
			errno = EPROTO;
			return -1;
		}
		if (len > 0)
			break;
	}
	if (read(fd, buf, len) != len)
		return -1;
	if (pi->local && local_has_data(fd, got > len)) {
		pi->local = 0;
		pi->unknown = 1;	/* the balancer is the peer */
	}
	return 0;
}
