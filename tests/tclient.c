/*
 * tclient: the test suite's TCP client.
 *
 *   tclient [-s SRC] [-d DATA] [-z BYTES] [-H] [-R] [-w SECS] [-t] [-l]
 *	    HOST PORT
 *	one connection: send DATA (nothing without -d) and then BYTES
 *	bytes of 'z', half-close with -H, or reset the connection at once
 *	with -R; print everything received until the server closes; -t
 *	prints the seconds it took on stderr, -l prints "port N", the
 *	client's own port, on stderr once connected.  Exit 0 once the server
 *	closed, 1 if it could not connect, 2 on timeout (-w, default 10 s).
 *   tclient -S SECS [-s SRC] [-d DATA] [-z BYTES] [-r BYTES] HOST PORT
 *	a client that stops reading: send DATA and BYTES bytes of 'z' (as
 *	much of them as the server takes within SECS), read BYTES bytes
 *	with -r (and print them), then read nothing more and hold the
 *	connection until SECS have passed; exit 0.  Its receive buffer
 *	is small (4 KiB), so that a few MB fill what lies between.
 *   tclient -u [-s SRC] [-d DATA] [-z BYTES] [-w SECS] [-t] [-l] HOST PORT
 *	UDP: send one datagram (DATA, then BYTES bytes of 'z'), print the
 *	datagrams that come back (until 300 ms pass without one); exit 0
 *	if any came, 2 if none came within SECS.  -t and -l as for TCP.
 *   tclient -u -F -s SRC -p SPORT [-n COUNT] [-d DATA] HOST PORT
 *	UDP with a forged source, loopback only (needs root for the raw
 *	socket): COUNT datagrams (1 by default) of DATA from SRC:SPORT
 *	to HOST:PORT, both IPv4 or both IPv6; nothing is read back.  Exit 0
 *	once sent.
 *   With -p SPORT otherwise, the socket is bound to that source port
 *	(SO_REUSEADDR, which lets a UDP socket share a port).
 *   tclient [-d DATA] [-H] [-w SECS] unix:PATH
 *	the same over a Unix domain stream socket.
 *   tclient -n COUNT -c CONC -e EXPECT [-d DATA] HOST PORT
 *	COUNT connections, CONC at a time (one process each), each must
 *	get exactly EXPECT back; prints "ok=N failed=N", exit 0 if none
 *	failed.
 *
 * DATA and EXPECT may hold \n, \r, \t, \\ and \xNN escapes.
 * Only numeric loopback addresses are accepted: tests never send
 * anything elsewhere.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char	*src, *sport, *host, *port, *path;
	char		*data, *expect;
	size_t		 datalen;
	int		 halfclose, reset, wait, timing, count, conc, udp,
			 forge;
	int		 stall, localport;
	long		 bulk, readfirst;
};

/* Undo the escapes in place; returns the length (NUL bytes allowed). */
static size_t
unescape(char *s)
{
	char *start = s, *o = s, hex[3] = { 0 };

	while (*s) {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': *o++ = '\n'; s++; break;
		case 'r': *o++ = '\r'; s++; break;
		case 't': *o++ = '\t'; s++; break;
		case 'x':
			if (s[1] && s[2]) {
				hex[0] = s[1];
				hex[1] = s[2];
				*o++ = (char)strtol(hex, NULL, 16);
				s += 3;
				break;
			}
			/* FALLTHROUGH */
		default: *o++ = *s++; break;
		}
	}
	*o = '\0';
	return o - start;
}

static int
make_addr(const char *host, const char *port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		if ((ntohl(in->sin_addr.s_addr) >> 24) != 127)
			return -1;
		in->sin_family = AF_INET;
		in->sin_port = htons(atoi(port));
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return -1;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(atoi(port));
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

/* The port the kernel gave this end of the connection, on stderr. */
static void
print_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	fprintf(stderr, "port %u\n", ntohs(ss.ss_family == AF_INET ?
	    ((struct sockaddr_in *)&ss)->sin_port :
	    ((struct sockaddr_in6 *)&ss)->sin6_port));
}

static int
dial(const struct opts *o)
{
	struct sockaddr_storage ss, src;
	socklen_t len, slen;
	int fd, small = 4096;

	if (o->path != NULL) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;

		memset(sun, 0, sizeof(*sun));
		sun->sun_family = AF_UNIX;
		strncpy(sun->sun_path, o->path, sizeof(sun->sun_path) - 1);
		len = sizeof(*sun);
	} else if (make_addr(o->host, o->port, &ss, &len) < 0) {
		fprintf(stderr, "tclient: %s is not a loopback address\n",
		    o->host);
		exit(1);
	}
	if ((fd = socket(ss.ss_family, o->udp ? SOCK_DGRAM : SOCK_STREAM,
	    0)) < 0)
		return -1;
	if (o->sport != NULL) {
		int on = 1;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	}
	if ((o->src != NULL || o->sport != NULL) &&
	    (make_addr(o->src ? o->src : o->host, o->sport ? o->sport : "0",
	    &src, &slen) < 0 ||
	    bind(fd, (struct sockaddr *)&src, slen) < 0)) {
		close(fd);
		return -1;
	}
	/* A client that stops reading: a small window, before connect. */
	if (o->stall > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		close(fd);
		return -1;
	}
	if (o->localport)
		print_port(fd);
	return fd;
}

/* Stops early, without failing, when the server closes first. */
static int
send_bulk(int fd, long n)
{
	static char z[65536];
	ssize_t r;

	memset(z, 'z', sizeof(z));
	while (n > 0) {
		r = write(fd, z, n < (long)sizeof(z) ? (size_t)n : sizeof(z));
		if (r < 0)
			return errno == EPIPE || errno == ECONNRESET ? 0 : -1;
		n -= r;
	}
	return 0;
}

/* Milliseconds left until the deadline d (CLOCK_MONOTONIC). */
static int
ms_left(const struct timespec *d)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (d->tv_sec - now.tv_sec) * 1000LL +
	    (d->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* Send n bytes of 'z', as many as the server takes before d. */
static void
send_until(int fd, long n, const struct timespec *d)
{
	static char z[65536];
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	ssize_t r;

	memset(z, 'z', sizeof(z));
	while (n > 0 && poll(&p, 1, ms_left(d)) == 1) {
		r = send(fd, z, n < (long)sizeof(z) ? (size_t)n : sizeof(z),
		    MSG_DONTWAIT);
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return;
		if (r > 0)
			n -= r;
	}
}

/* -S: a client that stops reading, and holds on. */
static int
stall(const struct opts *o)
{
	static char buf[65536];
	struct timespec d;
	struct pollfd p;
	long n = o->readfirst;
	ssize_t r;
	int fd;

	if ((fd = dial(o)) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &d);
	d.tv_sec += o->stall;
	if (o->data != NULL && write(fd, o->data, o->datalen) < 0)
		return 1;
	send_until(fd, o->bulk, &d);
	p.fd = fd;
	p.events = POLLIN;
	while (n > 0 && poll(&p, 1, ms_left(&d)) == 1 &&
	    (r = read(fd, buf, n < (long)sizeof(buf) ? (size_t)n :
	    sizeof(buf))) > 0) {
		fwrite(buf, 1, r, stdout);
		n -= r;
	}
	fflush(stdout);
	while (ms_left(&d) > 0)
		poll(NULL, 0, ms_left(&d));
	close(fd);
	return 0;
}

/* One exchange; the reply goes to buf (NUL-terminated, truncated). */
static int
exchange(const struct opts *o, char *buf, size_t bufsz, size_t *got)
{
	struct pollfd p;
	size_t n = 0;
	ssize_t r;
	int fd;

	if ((fd = dial(o)) < 0)
		return 1;
	if (o->data != NULL && write(fd, o->data, o->datalen) < 0) {
		close(fd);
		return 1;
	}
	if (o->bulk > 0 && send_bulk(fd, o->bulk) < 0) {
		close(fd);
		return 3;
	}
	if (o->reset) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		*got = 0;
		buf[0] = '\0';
		return 0;
	}
	if (o->halfclose)
		shutdown(fd, SHUT_WR);
	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		if (poll(&p, 1, o->wait * 1000) <= 0) {
			close(fd);
			return 2;
		}
		r = read(fd, buf + n, bufsz - 1 - n);
		if (r <= 0)
			break;
		n += r;
		if (n == bufsz - 1)
			n = 0;	/* keep draining; the tail is kept */
	}
	buf[n] = '\0';
	*got = n;
	close(fd);
	return r < 0 ? 3 : 0;
}

/* One datagram out, the replies back (until 300 ms pass without one). */
static int
udp_exchange(const struct opts *o, unsigned char *buf, size_t bufsz,
    size_t *got)
{
	struct pollfd p;
	size_t n = 0;
	ssize_t r;
	int fd, replies = 0;

	if ((fd = dial(o)) < 0)
		return 1;
	if (o->data != NULL)
		memcpy(buf, o->data, n = o->datalen);
	if (o->bulk > 0 && n + o->bulk <= bufsz) {
		memset(buf + n, 'z', o->bulk);
		n += o->bulk;
	}
	if (send(fd, buf, n, 0) < 0) {
		close(fd);
		return 1;
	}
	p.fd = fd;
	p.events = POLLIN;
	*got = 0;
	while (poll(&p, 1, replies ? (o->count ? 0 : 300) : o->wait * 1000) > 0
	    && (r = recv(fd, buf + *got, bufsz - 1 - *got, 0)) >= 0) {
		*got += r;
		replies++;
	}
	buf[*got] = '\0';
	close(fd);
	return replies ? 0 : 2;
}

static double
since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * -F: datagrams from a source that is not ours, built whole (IPv4 and
 * UDP headers) on a raw socket.  The kernel fills in the IPv4 checksum
 * and length; a UDP checksum of 0 means none.
 */
/*
 * IPv6 has no header to write by hand: a raw UDP socket bound to the
 * source address sends the UDP header and data, and the kernel sums
 * them (IPV6_CHECKSUM at the UDP checksum's offset).
 */
static int
forge6(const struct opts *o, struct sockaddr_in6 *d,
    const struct sockaddr_in6 *s, size_t n)
{
	unsigned char pkt[8 + 1400];
	struct sockaddr_in6 a = *s;
	int fd, i, off = 6;
	uint16_t v;

	if ((fd = socket(AF_INET6, SOCK_RAW, IPPROTO_UDP)) < 0) {
		perror("tclient: raw socket");
		return 1;
	}
	a.sin6_port = 0;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off,
	    sizeof(off)) < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("tclient: raw socket");
		return 1;
	}
	memset(pkt, 0, 8);
	memcpy(pkt, &s->sin6_port, 2);
	memcpy(pkt + 2, &d->sin6_port, 2);
	v = htons(8 + n);
	memcpy(pkt + 4, &v, 2);
	if (n > 0)
		memcpy(pkt + 8, o->data, n);
	d->sin6_port = 0;	/* a raw socket's "port" is its protocol */
	for (i = 0; i < (o->count > 0 ? o->count : 1); i++)
		if (sendto(fd, pkt, 8 + n, 0, (struct sockaddr *)d,
		    sizeof(*d)) < 0) {
			perror("tclient: sendto");
			return 1;
		}
	close(fd);
	return 0;
}

static int
forge(const struct opts *o)
{
	struct sockaddr_storage dst, src;
	struct sockaddr_in *d = (struct sockaddr_in *)&dst;
	struct sockaddr_in *s = (struct sockaddr_in *)&src;
	unsigned char pkt[28 + 1400];
	socklen_t len;
	size_t n = o->datalen < 1400 ? o->datalen : 1400;
	uint16_t v;
	int fd, i;

	if (o->src == NULL || o->sport == NULL ||
	    make_addr(o->host, o->port, &dst, &len) < 0 ||
	    make_addr(o->src, o->sport, &src, &len) < 0 ||
	    dst.ss_family != src.ss_family) {
		fprintf(stderr, "tclient: -F needs loopback -s, -p of the "
		    "destination's family\n");
		return 64;
	}
	if (dst.ss_family == AF_INET6)
		return forge6(o, (struct sockaddr_in6 *)&dst,
		    (const struct sockaddr_in6 *)&src, n);
	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) < 0) {
		perror("tclient: raw socket");
		return 1;
	}
	memset(pkt, 0, 28);
	pkt[0] = 0x45;			/* IPv4, 5 words of header */
	pkt[8] = 64;			/* TTL */
	pkt[9] = IPPROTO_UDP;
	memcpy(pkt + 12, &s->sin_addr, 4);
	memcpy(pkt + 16, &d->sin_addr, 4);
	memcpy(pkt + 20, &s->sin_port, 2);
	memcpy(pkt + 22, &d->sin_port, 2);
	v = htons(8 + n);
	memcpy(pkt + 24, &v, 2);
	if (n > 0)
		memcpy(pkt + 28, o->data, n);
	for (i = 0; i < (o->count > 0 ? o->count : 1); i++)
		if (sendto(fd, pkt, 28 + n, 0, (struct sockaddr *)&dst,
		    sizeof(*d)) < 0) {
			perror("tclient: sendto");
			return 1;
		}
	close(fd);
	return 0;
}

static int
datagram(const struct opts *o)
{
	static unsigned char buf[70000 * 4];
	struct timespec a;
	size_t got = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = udp_exchange(o, buf, sizeof(buf), &got);
	if (o->timing)
		fprintf(stderr, "%.2f\n", since(&a));
	fwrite(buf, 1, got, stdout);
	return rc;
}

static int
single(const struct opts *o)
{
	static char buf[1 << 20];
	struct timespec a;
	size_t got = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = exchange(o, buf, sizeof(buf), &got);
	fwrite(buf, 1, got, stdout);
	if (o->timing)
		fprintf(stderr, "%.2f\n", since(&a));
	return rc;
}

static int
worker(const struct opts *o, int count)
{
	char buf[4096];
	size_t got;
	int i, failed = 0;

	for (i = 0; i < count; i++)
		if ((o->udp ? udp_exchange(o, (unsigned char *)buf, sizeof(buf),
		    &got) : exchange(o, buf, sizeof(buf), &got)) != 0 ||
		    got != strlen(o->expect) || strcmp(buf, o->expect) != 0)
			failed++;
	return failed > 255 ? 255 : failed;
}

static int
load(const struct opts *o)
{
	int i, st, failed = 0, each = o->count / o->conc;
	pid_t pid;

	for (i = 0; i < o->conc; i++) {
		int mine = each + (i < o->count % o->conc);

		if ((pid = fork()) == 0)
			_exit(worker(o, mine));
		if (pid < 0)
			failed += mine;
	}
	while ((pid = wait(&st)) > 0)
		failed += WIFEXITED(st) ? WEXITSTATUS(st) : each;
	printf("ok=%d failed=%d\n", o->count - failed, failed);
	return failed != 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { .wait = 10, .count = 0, .conc = 1 };
	int ch;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "s:d:e:Hw:tln:c:z:RuS:r:Fp:")) != -1) {
		switch (ch) {
		case 's': o.src = optarg; break;
		case 'd': o.data = optarg; break;
		case 'e': o.expect = optarg; break;
		case 'H': o.halfclose = 1; break;
		case 'R': o.reset = 1; break;
		case 'u': o.udp = 1; break;
		case 'S': o.stall = atoi(optarg); break;
		case 'r': o.readfirst = atol(optarg); break;
		case 'F': o.forge = 1; break;
		case 'p': o.sport = optarg; break;
		case 'z': o.bulk = atol(optarg); break;
		case 'w': o.wait = atoi(optarg); break;
		case 't': o.timing = 1; break;
		case 'l': o.localport = 1; break;
		case 'n': o.count = atoi(optarg); break;
		case 'c': o.conc = atoi(optarg); break;
		default: return 64;
		}
	}
	if (argc - optind == 1 && strncmp(argv[optind], "unix:", 5) == 0 &&
	    !o.udp && o.src == NULL) {
		o.path = argv[optind] + 5;
	} else if (argc - optind != 2 || o.conc < 1 ||
	    (o.count > 0 && !o.expect && !o.forge)) {
		fprintf(stderr, "usage: tclient [options] HOST PORT\n");
		return 64;
	}
	if (o.data != NULL)
		o.datalen = unescape(o.data);
	if (o.expect != NULL)
		unescape(o.expect);
	o.host = argv[optind];
	o.port = argv[optind + 1];	/* NULL with unix:PATH */
	if (o.forge)
		return forge(&o);
	if (o.count > 0)
		return load(&o);
	if (o.stall > 0)
		return stall(&o);
	return o.udp ? datagram(&o) : single(&o);
}
