/*
 * PROXY protocol parsing: v1 and v2 headers, good and hostile, whole and
 * cut short.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/proxy.h"
#include "lib/addr.h"
#include "check_run.h"

static struct proxy_info pi;

/*
 * proxy_parse() of n bytes that end where the memory ends (as far as a
 * page holds them): a parser that reads past what it is given faults.
 */
static int
parse(const void *buf, size_t n)
{
	static unsigned char *page;
	size_t sz = (size_t)sysconf(_SC_PAGESIZE);

	if (n > sz)
		return proxy_parse(buf, n, &pi);
	if (page == NULL) {
		page = mmap(NULL, 2 * sz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ck_assert(page != MAP_FAILED);
		ck_assert_int_eq(mprotect(page + sz, sz, PROT_NONE), 0);
	}
	memcpy(page + sz - n, buf, n);
	return proxy_parse(page + sz - n, n, &pi);
}

static const char *
text(const struct sockaddr_storage *ss)
{
	static char out[ADDR_STRLEN];
	struct addr_text t;

	ck_assert_int_eq(addr_text((const struct sockaddr *)ss, &t), 0);
	addr_join(&t, out, sizeof(out));
	return out;
}

#define src() text(&pi.src)
#define dst() text(&pi.dst)

START_TEST(v1_tcp4)
{
	const char h[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 7788\r\nhello";

	ck_assert_int_eq(parse(h, sizeof(h) - 1), (int)sizeof(h) - 1 - 5);
	ck_assert_int_eq(pi.version, 1);
	ck_assert_int_eq(pi.local, 0);
	ck_assert_str_eq(src(), "192.0.2.1:56324");
}
END_TEST

START_TEST(v1_tcp6_and_unknown)
{
	const char h6[] = "PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n";
	const char hu[] = "PROXY UNKNOWN ffff:f...f:ffff 1 2\r\n";
	/* What follows UNKNOWN is ignored, however many fields it has. */
	const char hn[] = "PROXY UNKNOWN a b c d e f g h\r\n";

	ck_assert_int_eq(parse(h6, sizeof(h6) - 1), (int)sizeof(h6) - 1);
	ck_assert_str_eq(src(), "[2001:db8::1]:1");
	ck_assert_int_eq(parse(hu, sizeof(hu) - 1), (int)sizeof(hu) - 1);
	ck_assert_int_eq(pi.unknown, 1);
	ck_assert_int_eq(pi.local, 0);
	ck_assert_int_eq(parse(hn, sizeof(hn) - 1), (int)sizeof(hn) - 1);
	ck_assert_int_eq(pi.unknown, 1);
}
END_TEST

START_TEST(v1_hostile)
{
	static const char *bad[] = {
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n",		/* no CR */
		"PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
		"PROXY TCP4 ::1 5.6.7.8 1 2\r\n",		/* family */
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1x 2\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2x\r\n",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 "
		    "9 0 1 2 3 4 5 6 7 8 9\r\n",		/* many fields */
		"PROXY \r\n",				/* no fields */
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX",
		"PROXY TCP4 host.example 5.6.7.8 1 2\r\n",
		"GET / HTTP/1.0\r\n",
	};
	char long_line[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], strlen(bad[i])) < 0, "%s", bad[i]);
	memset(long_line, '1', sizeof(long_line));
	memcpy(long_line, "PROXY TCP4 ", 11);
	ck_assert_int_lt(parse(long_line, sizeof(long_line)), 0);
}
END_TEST

START_TEST(incomplete_wants_more)
{
	const char h[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 7788\r\n";
	static const unsigned char v2[] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00,
	    0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c };
	size_t n;

	for (n = 1; n < sizeof(h) - 1; n++)
		ck_assert_msg(parse(h, n) == 0, "v1 cut at %zu", n);
	for (n = 1; n <= sizeof(v2); n++)
		ck_assert_msg(parse(v2, n) == 0, "v2 cut at %zu", n);
}
END_TEST

static size_t
v2_header(unsigned char *b, int cmd, int fam, size_t addrlen)
{
	static const unsigned char sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00,
	    0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

	memcpy(b, sig, 12);
	b[12] = 0x20 | cmd;
	b[13] = fam;
	b[14] = addrlen >> 8;
	b[15] = addrlen & 0xff;
	return 16 + addrlen;
}

START_TEST(v2_tcp4_tcp6_local)
{
	unsigned char b[600];
	size_t n;

	memset(b, 0, sizeof(b));
	n = v2_header(b, 1, 0x11, 12);
	inet_pton(AF_INET, "203.0.113.9", b + 16);
	inet_pton(AF_INET, "127.0.0.1", b + 20);
	b[24] = 0x1f;
	b[25] = 0x90;	/* 8080 */
	ck_assert_int_eq(parse(b, n + 3), (int)n);
	ck_assert_int_eq(pi.version, 2);
	ck_assert_str_eq(src(), "203.0.113.9:8080");

	n = v2_header(b, 1, 0x21, 36 + 8);	/* with 8 bytes of TLVs */
	inet_pton(AF_INET6, "2001:db8::7", b + 16);
	b[48] = 0;
	b[49] = 80;
	ck_assert_int_eq(parse(b, n), (int)n);
	ck_assert_str_eq(src(), "[2001:db8::7]:80");

	n = v2_header(b, 0, 0x00, 0);		/* LOCAL: a health check */
	ck_assert_int_eq(parse(b, n), 16);
	ck_assert_int_eq(pi.local, 1);
	ck_assert_int_eq(pi.unknown, 0);

	n = v2_header(b, 1, 0x00, 0);		/* PROXY, UNSPEC */
	ck_assert_int_eq(parse(b, n), 16);
	ck_assert_int_eq(pi.local, 0);
	ck_assert_int_eq(pi.unknown, 1);
}
END_TEST

START_TEST(v2_hostile)
{
	unsigned char b[2048];
	size_t n;

	memset(b, 0, sizeof(b));
	n = v2_header(b, 1, 0x11, 4);		/* too short for IPv4 */
	ck_assert_int_lt(parse(b, n), 0);
	n = v2_header(b, 2, 0x11, 12);		/* no such command */
	ck_assert_int_lt(parse(b, n), 0);
	n = v2_header(b, 1, 0x41, 12);		/* no such family */
	ck_assert_int_lt(parse(b, n), 0);
	n = v2_header(b, 1, 0x13, 12);		/* no such transport */
	ck_assert_int_lt(parse(b, n), 0);
	v2_header(b, 1, 0x11, 12);
	b[12] = 0x11;				/* version 1 in a v2 header */
	ck_assert_int_lt(parse(b, 28), 0);
}
END_TEST

/* What the specification defines but replyd cannot use is UNSPEC. */
START_TEST(v2_unsupported_is_unspec)
{
	static const int fams[] = { 0x31, 0x32, 0x12, 0x22, 0x10, 0x01 };
	unsigned char b[300];
	size_t i, n;

	memset(b, 0, sizeof(b));
	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		n = v2_header(b, 1, fams[i], 216);
		ck_assert_msg(parse(b, n) == (int)n, "family 0x%02x", fams[i]);
		ck_assert_int_eq(pi.unknown, 1);
		ck_assert_int_eq(pi.local, 0);
	}
}
END_TEST

/* The length field's whole range: HAProxy's TLVs pass 512 bytes. */
START_TEST(v2_long_tlvs)
{
	static unsigned char b[16 + 65535];
	size_t n;

	memset(b, 0, sizeof(b));
	n = v2_header(b, 1, 0x11, 12 + 600);
	inet_pton(AF_INET, "203.0.113.9", b + 16);
	ck_assert_int_eq(parse(b, n), (int)n);
	ck_assert_str_eq(src(), "203.0.113.9:0");
	n = v2_header(b, 1, 0x11, 65535);
	ck_assert_int_eq(parse(b, n), (int)n);
	ck_assert_int_eq(parse(b, n - 1), 0);
	ck_assert_int_le(n, PROXY_MAX);
}
END_TEST

/*
 * proxy_read against a peer in its own process: the bytes of s in pieces
 * of piece bytes, a pause of ms before each and before the end; then the
 * peer closes, holds the connection open (until killed) or resets it
 * (over TCP: a socketpair cannot be reset).  LATE: after s, once the
 * reader has taken it, a request.
 */
enum end { CLOSE, HOLD, RESET, LATE };

struct got {
	int	 rc, err;	/* proxy_read's result and errno */
	long	 ms, cpu;	/* how long it took, how much CPU */
	char	 rest[64];	/* what was left to read behind the header */
};

static void
tcp_pair(int sv[2])
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int l;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(l = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sin, len), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sin, &len), 0);
	ck_assert_int_ge(sv[1] = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(connect(sv[1], (struct sockaddr *)&sin, len), 0);
	ck_assert_int_ge(sv[0] = accept(l, NULL, NULL), 0);
	close(l);
}

/* The reader has taken everything written so far (bounded: 2 s). */
static void
taken(int fd)
{
	int i, q = 1;

	for (i = 0; i < 200 && ioctl(fd, SIOCOUTQ, &q) == 0 && q > 0; i++)
		usleep(10000);
}

static void
play(int fd, const char *s, size_t n, size_t piece, int ms, enum end end)
{
	struct linger lg = { 1, 0 };
	size_t i, k;

	for (i = 0;; i += k) {
		usleep(ms * 1000);
		if (i >= n)
			break;
		k = n - i < piece ? n - i : piece;
		if (write(fd, s + i, k) != (ssize_t)k)
			_exit(1);
	}
	if (end == HOLD)
		sleep(3);
	if (end == RESET)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (end == LATE) {
		taken(fd);
		if (write(fd, "GET /\r\n", 7) != 7)
			_exit(1);
	}
	_exit(0);
}

static long
ms_since(clockid_t clock, const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(clock, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static struct got
feed(const void *s, size_t n, size_t piece, int ms, enum end end,
    int timeout)
{
	struct timespec t0, c0;
	struct got g;
	int sv[2];
	pid_t pid;
	ssize_t r, k = 0;

	if (end == RESET)
		tcp_pair(sv);
	else
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		close(sv[0]);
		play(sv[1], s, n, piece, ms, end);
	}
	close(sv[1]);
	errno = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	g.rc = proxy_read(sv[0], timeout, &pi);
	g.err = errno;
	g.cpu = ms_since(CLOCK_PROCESS_CPUTIME_ID, &c0);
	g.ms = ms_since(CLOCK_MONOTONIC, &t0);
	if (end == HOLD)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	while (k < (ssize_t)sizeof(g.rest) - 1 &&
	    (r = read(sv[0], g.rest + k, sizeof(g.rest) - 1 - k)) > 0)
		k += r;
	g.rest[k] = '\0';
	close(sv[0]);
	return g;
}

/*
 * LOCAL with a request behind it is the balancer's own connection,
 * served, the request left unread; LOCAL and then closed is a check.
 */
START_TEST(v2_local_with_data)
{
	unsigned char b[64];
	struct got g;
	size_t n;

	n = v2_header(b, 0, 0x00, 0);
	memcpy(b + n, "GET /\r\n", 7);
	g = feed(b, n + 7, n + 7, 0, HOLD, 2);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(pi.local, 0);
	ck_assert_int_eq(pi.unknown, 1);
	ck_assert_str_eq(g.rest, "GET /\r\n");

	g = feed(b, n, n, 0, CLOSE, 2);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(pi.local, 1);
	ck_assert_str_eq(g.rest, "");
}
END_TEST

/*
 * A header that trickles in, a byte every 0.3 s against a timeout of
 * 1 s, times out once, about 1 s after the start: the timeout is one
 * deadline for the whole header, not a pause between two bytes.  And
 * waiting on the rest of a header is no busy loop (the CPU it may take
 * is ten times what it takes unloaded).
 */
START_TEST(header_has_one_deadline)
{
	const char h[] = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n";
	struct got g = feed(h, 8, 1, 300, HOLD, 1);

	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err, ETIMEDOUT);
	ck_assert_msg(g.ms >= 900 && g.ms < 2000, "took %ld ms", g.ms);
	ck_assert_msg(g.cpu < 100, "%ld ms of CPU in %ld ms", g.cpu, g.ms);
}
END_TEST

/* A header that comes a byte or a few at a time is read, and no more. */
START_TEST(read_in_pieces)
{
	const char h[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 7788\r\nhello";
	unsigned char b[64];
	struct got g;
	size_t n;

	g = feed(h, sizeof(h) - 1, 1, 5, CLOSE, 3);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(pi.version, 1);
	ck_assert_int_eq(pi.unknown, 0);
	ck_assert_str_eq(src(), "192.0.2.1:56324");
	ck_assert_str_eq(dst(), "198.51.100.2:7788");
	ck_assert_str_eq(g.rest, "hello");

	memset(b, 0, sizeof(b));
	n = v2_header(b, 1, 0x11, 12);
	inet_pton(AF_INET, "203.0.113.9", b + 16);
	b[24] = 0x1f, b[25] = 0x90;
	memcpy(b + n, "hi", 2);
	g = feed(b, n + 2, 5, 20, CLOSE, 3);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(pi.version, 2);
	ck_assert_int_eq(pi.local + pi.unknown, 0);
	ck_assert_str_eq(src(), "203.0.113.9:8080");
	ck_assert_str_eq(g.rest, "hi");
}
END_TEST

/*
 * A peer that closes mid-header is refused at once (EPROTO), one that
 * closes or resets before a byte is a connect-only check (ENOTCONN), and
 * what is not a header is refused as soon as it is seen.
 */
START_TEST(read_peer_goes_away)
{
	static const unsigned char v2[] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00,
	    0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11 };
	const char part[] = "PROXY TCP4 1.2.3.4";
	struct got g;

	g = feed(part, sizeof(part) - 1, 4, 10, CLOSE, 3);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err, EPROTO);
	ck_assert_int_lt(g.ms, 2000);
	g = feed(v2, sizeof(v2), sizeof(v2), 0, CLOSE, 3);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err, EPROTO);
	ck_assert_int_lt(g.ms, 2000);
	g = feed(part, sizeof(part) - 1, 4, 10, RESET, 3);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err, EPROTO);

	g = feed("", 0, 1, 0, CLOSE, 3);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err, ENOTCONN);
	g = feed("", 0, 1, 0, RESET, 3);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err, ENOTCONN);

	g = feed("GET / HTTP/1.0\r\n", 16, 16, 0, HOLD, 3);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err, EPROTO);
	ck_assert_int_lt(g.ms, 2000);
}
END_TEST

/* A whole header is read even when the balancer reset right after it. */
START_TEST(read_header_then_reset)
{
	const char h[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 7788\r\n";
	struct got g;

	g = feed(h, sizeof(h) - 1, sizeof(h), 0, RESET, 3);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_str_eq(src(), "192.0.2.1:56324");
}
END_TEST

/* A peer that sends nothing and stays: ETIMEDOUT, once the timeout ends. */
START_TEST(read_silent_peer_times_out)
{
	struct got g = feed("", 0, 1, 0, HOLD, 1);

	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err, ETIMEDOUT);
	ck_assert_msg(g.ms >= 900 && g.ms < 2000, "took %ld ms", g.ms);
}
END_TEST

/*
 * A LOCAL header with the connection still open 50 ms later, or with a
 * request that comes after it, is the balancer's own connection.
 */
START_TEST(read_local_open_or_late_request)
{
	unsigned char b[16];
	struct got g;
	size_t n;

	n = v2_header(b, 0, 0x00, 0);
	g = feed(b, n, n, 0, HOLD, 3);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(pi.local, 0);
	ck_assert_int_eq(pi.unknown, 1);
	ck_assert_int_lt(g.ms, 2000);

	g = feed(b, n, n, 0, LATE, 3);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_int_eq(pi.local, 0);
	ck_assert_int_eq(pi.unknown, 1);
	ck_assert_str_eq(g.rest, "GET /\r\n");
}
END_TEST

static void
ignore(int sig)
{
	(void)sig;
}

/*
 * A signal while the header is awaited interrupts nothing: the header
 * that comes after it is read, a close after it is still a check.
 */
START_TEST(read_through_a_signal)
{
	const char h[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 7788\r\n";
	struct sigaction sa = { .sa_handler = ignore };	/* no SA_RESTART */
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };
	struct got g;

	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	g = feed(h, sizeof(h) - 1, sizeof(h), 300, CLOSE, 3);
	ck_assert_int_eq(g.rc, 0);
	ck_assert_str_eq(src(), "192.0.2.1:56324");

	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	g = feed("", 0, 1, 300, CLOSE, 3);
	ck_assert_int_eq(g.rc, -1);
	ck_assert_int_eq(g.err, ENOTCONN);
}
END_TEST

/*
 * What fails is reported with its own errno: a read from what is not a
 * socket, a poll(2) refused (one descriptor is more than a soft
 * RLIMIT_NOFILE of 0 allows: EINVAL).
 */
START_TEST(read_failures)
{
	const char h[] = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n";
	struct rlimit was, none;
	int p[2], sv[2], rc, err;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "PROXY ", 6), 6);
	errno = 0;
	rc = proxy_read(p[0], 1, &pi);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	close(p[0]);
	close(p[1]);

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(write(sv[1], h, sizeof(h) - 1), sizeof(h) - 1);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &was), 0);
	none = was;
	none.rlim_cur = 0;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &none), 0);
	rc = proxy_read(sv[0], 1, &pi);
	err = errno;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &was), 0);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(err, EINVAL);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* Only a whole signature counts: a client may begin with "P" or "\r\n". */
START_TEST(signature_whole_only)
{
	static const unsigned char v2[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00,
	    0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
	size_t n;

	for (n = 0; n < 6; n++)
		ck_assert_msg(!proxy_signature((const void *)"PROXY ", n),
		    "v1 cut at %zu", n);
	for (n = 0; n < 12; n++)
		ck_assert_msg(!proxy_signature(v2, n), "v2 cut at %zu", n);
	ck_assert(proxy_signature((const void *)"PROXY ", 6));
	ck_assert(proxy_signature((const void *)"PROXY TCP4 ", 11));
	ck_assert(proxy_signature(v2, 12));
	ck_assert(!proxy_signature((const void *)"PROXYZ", 6));
	ck_assert(!proxy_signature((const void *)"\r\n\r\nhello!!!", 12));
	/* A prefix still looks like one, for the parser's sake. */
	ck_assert(proxy_looks_like((const void *)"P", 1));
}
END_TEST


/* Both ends of the header are read, each from its own field. */
START_TEST(v1_v2_destination)
{
	const char h4[] = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 7788\r\n";
	const char h6[] = "PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n";
	static const unsigned char zero[8];
	const struct sockaddr_in6 *in6;
	unsigned char b[64];
	size_t n;

	ck_assert_int_eq(parse(h4, sizeof(h4) - 1), (int)sizeof(h4) - 1);
	ck_assert_str_eq(dst(), "198.51.100.2:7788");
	ck_assert_int_eq(parse(h6, sizeof(h6) - 1), (int)sizeof(h6) - 1);
	ck_assert_str_eq(dst(), "[2001:db8::2]:2");

	memset(b, 0, sizeof(b));
	n = v2_header(b, 1, 0x11, 12);
	inet_pton(AF_INET, "203.0.113.9", b + 16);
	inet_pton(AF_INET, "198.51.100.7", b + 20);
	b[24] = 0x1f, b[25] = 0x90, b[26] = 0x1e, b[27] = 0x6c;
	ck_assert_int_eq(parse(b, n), (int)n);
	ck_assert_str_eq(src(), "203.0.113.9:8080");
	ck_assert_str_eq(dst(), "198.51.100.7:7788");
	/* The address and port alone: sin_zero stays zero. */
	ck_assert(memcmp(((const struct sockaddr_in *)&pi.src)->sin_zero,
	    zero, sizeof(zero)) == 0);
	ck_assert(memcmp(((const struct sockaddr_in *)&pi.dst)->sin_zero,
	    zero, sizeof(zero)) == 0);

	n = v2_header(b, 1, 0x21, 36);
	inet_pton(AF_INET6, "2001:db8::7", b + 16);
	inet_pton(AF_INET6, "2001:db8::8", b + 32);
	b[48] = 0, b[49] = 80, b[50] = 0x1e, b[51] = 0x6c;
	ck_assert_int_eq(parse(b, n), (int)n);
	ck_assert_str_eq(src(), "[2001:db8::7]:80");
	/* The address and port alone: no flow label, no scope. */
	in6 = (const struct sockaddr_in6 *)&pi.src;
	ck_assert_uint_eq(in6->sin6_flowinfo, 0);
	ck_assert_uint_eq(in6->sin6_scope_id, 0);
	ck_assert_str_eq(dst(), "[2001:db8::8]:7788");
	ck_assert_int_eq(parse(b, n - 1), 0);
	n = v2_header(b, 1, 0x21, 35);		/* one byte short of IPv6 */
	ck_assert_int_lt(parse(b, n), 0);
}
END_TEST

/* The shortest lines and the family byte's edges. */
START_TEST(v1_v2_edges)
{
	static const int undefined[] = { 0x40, 0x03, 0x33, 0xf1 };
	static const int unspec[] = { 0x30, 0x02, 0x20, 0x00 };
	unsigned char b[300];
	size_t i, n;

	ck_assert_int_eq(parse("PROXY UNKNOWN\r\n", 15), 15);
	ck_assert_int_eq(pi.unknown, 1);
	ck_assert_int_lt(parse("PROXY\r\n", 7), 0);
	ck_assert_int_lt(parse("PROXY TCP4\r\n", 12), 0);
	ck_assert_int_lt(parse("PROXY\0TCP4 1.2.3.4 5.6.7.8 1 2\r\n", 33), 0);
	memset(b, 0, sizeof(b));
	for (i = 0; i < sizeof(undefined) / sizeof(undefined[0]); i++) {
		n = v2_header(b, 1, undefined[i], 216);
		ck_assert_msg(parse(b, n) < 0, "family 0x%02x", undefined[i]);
	}
	for (i = 0; i < sizeof(unspec) / sizeof(unspec[0]); i++) {
		memset(&pi, 0, sizeof(pi));
		n = v2_header(b, 1, unspec[i], 0);
		ck_assert_msg(parse(b, n) == 16, "family 0x%02x", unspec[i]);
		ck_assert_int_eq(pi.unknown, 1);
	}
}
END_TEST

/*
 * A prefix of a signature looks like a header, however the buffer goes
 * on after it; a whole signature with a wrong byte does not, and
 * neither does nothing at all.
 */
START_TEST(looks_like_as_far_as_it_goes)
{
	static const unsigned char v2[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00,
	    0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
	unsigned char buf[32];
	struct proxy_info info;
	size_t n;

	for (n = 1; n < 12; n++) {
		memset(buf, 'X', sizeof(buf));
		memcpy(buf, v2, n);
		ck_assert_msg(proxy_looks_like(buf, n), "v2 cut at %zu", n);
		ck_assert_msg(proxy_parse(buf, n, &info) == 0, "v2 cut at %zu",
		    n);
	}
	for (n = 1; n < 6; n++) {
		memset(buf, 'X', sizeof(buf));
		memcpy(buf, "PROXY ", n);
		ck_assert_msg(proxy_looks_like(buf, n), "v1 cut at %zu", n);
	}
	/* Whatever follows a whole signature, it is one. */
	memcpy(buf, v2, 12);
	for (n = 0; n < 256; n++) {
		buf[12] = (unsigned char)n;
		ck_assert_msg(proxy_signature(buf, 12), "then %zu", n);
		ck_assert_msg(proxy_looks_like(buf, 12), "then %zu", n);
	}
	buf[11] = 'X';
	ck_assert(!proxy_looks_like(buf, 12));
	ck_assert(!proxy_signature(buf, 12));
	ck_assert(!proxy_looks_like((const void *)"PROXYZ", 6));
	ck_assert(!proxy_looks_like((const void *)"", 0));
	ck_assert_int_eq(proxy_parse((const void *)"", 0, &info), -1);
}
END_TEST

/* "PROXY UNKNOWN x...x\r\n" of len bytes in all (crlf 0: no CRLF). */
static size_t
unknown_line(char *b, size_t len, int crlf)
{
	memset(b, 'x', len);
	memcpy(b, "PROXY UNKNOWN ", 14);
	if (crlf)
		memcpy(b + len - 2, "\r\n", 2);
	return len;
}

/*
 * A v1 line is at most 107 bytes with its CRLF: that long it is read,
 * longer it is refused, and 106 bytes without a CR are refused at
 * once, not waited on.  Ports go from 0 to 65535.
 */
START_TEST(v1_line_and_port_limits)
{
	const char ends[] = "PROXY TCP4 192.0.2.1 198.51.100.2 0 65535\r\n";
	char b[200];

	ck_assert_int_eq(parse(b, unknown_line(b, 107, 1)), 107);
	ck_assert_int_eq(parse(b, unknown_line(b, 108, 1)), -1);
	ck_assert_int_eq(parse(b, unknown_line(b, 109, 1)), -1);
	ck_assert_int_eq(parse(b, unknown_line(b, 150, 1)), -1);
	/* 105 bytes and no CR yet: its CRLF may still end at 107. */
	ck_assert_int_eq(parse(b, unknown_line(b, 105, 0)), 0);
	ck_assert_int_eq(parse(b, unknown_line(b, 106, 0)), -1);
	ck_assert_int_eq(parse(b, unknown_line(b, 107, 0)), -1);
	/* A line ended by LF alone, even with a CRLF after it. */
	ck_assert_int_eq(parse("PROXY UNKNOWN x\ny\r\n", 19), -1);
	ck_assert_int_eq(parse(ends, sizeof(ends) - 1), (int)sizeof(ends) - 1);
	ck_assert_str_eq(src(), "192.0.2.1:0");
	ck_assert_str_eq(dst(), "198.51.100.2:65535");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("proxy");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, v1_tcp4);
	tcase_add_test(tc, v1_tcp6_and_unknown);
	tcase_add_test(tc, v1_hostile);
	tcase_add_test(tc, incomplete_wants_more);
	tcase_add_test(tc, v2_tcp4_tcp6_local);
	tcase_add_test(tc, v2_hostile);
	tcase_add_test(tc, v2_unsupported_is_unspec);
	tcase_add_test(tc, v2_long_tlvs);
	tcase_add_test(tc, v2_local_with_data);
	tcase_add_test(tc, header_has_one_deadline);
	tcase_add_test(tc, read_in_pieces);
	tcase_add_test(tc, read_peer_goes_away);
	tcase_add_test(tc, read_header_then_reset);
	tcase_add_test(tc, read_silent_peer_times_out);
	tcase_add_test(tc, read_local_open_or_late_request);
	tcase_add_test(tc, read_through_a_signal);
	tcase_add_test(tc, read_failures);
	tcase_add_test(tc, signature_whole_only);
	tcase_add_test(tc, v1_v2_destination);
	tcase_add_test(tc, v1_v2_edges);
	tcase_add_test(tc, looks_like_as_far_as_it_goes);
	tcase_add_test(tc, v1_line_and_port_limits);
	suite_add_tcase(s, tc);
	return check_run(s);
}
