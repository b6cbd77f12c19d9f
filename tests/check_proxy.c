/*
 * PROXY protocol parsing: v1 and v2 headers, good and hostile, whole and
 * cut short.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/proxy.h"
#include "lib/addr.h"
#include "check_run.h"

static struct proxy_info pi;

static int
parse(const void *buf, size_t n)
{
	return proxy_parse(buf, n, &pi);
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

	ck_assert_int_eq(parse(h6, sizeof(h6) - 1), (int)sizeof(h6) - 1);
	ck_assert_str_eq(src(), "[2001:db8::1]:1");
	ck_assert_int_eq(parse(hu, sizeof(hu) - 1), (int)sizeof(hu) - 1);
	ck_assert_int_eq(pi.unknown, 1);
	ck_assert_int_eq(pi.local, 0);
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
 * proxy_read over a socket: LOCAL with a request behind it is the
 * balancer's own connection, served, the request left unread; LOCAL
 * and then closed is a check.
 */
static int
read_from(const void *h, size_t n, int shut, char *rest, size_t restn)
{
	int sv[2], rc;
	ssize_t r;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(write(sv[1], h, n), (ssize_t)n);
	if (shut)
		shutdown(sv[1], SHUT_WR);
	rc = proxy_read(sv[0], 2, &pi);
	shutdown(sv[1], SHUT_WR);
	r = read(sv[0], rest, restn - 1);
	rest[r > 0 ? r : 0] = '\0';
	close(sv[0]);
	close(sv[1]);
	return rc;
}

START_TEST(v2_local_with_data)
{
	unsigned char b[64];
	char rest[64];
	size_t n;

	n = v2_header(b, 0, 0x00, 0);
	memcpy(b + n, "GET /\r\n", 7);
	ck_assert_int_eq(read_from(b, n + 7, 0, rest, sizeof(rest)), 0);
	ck_assert_int_eq(pi.local, 0);
	ck_assert_int_eq(pi.unknown, 1);
	ck_assert_str_eq(rest, "GET /\r\n");

	ck_assert_int_eq(read_from(b, n, 1, rest, sizeof(rest)), 0);
	ck_assert_int_eq(pi.local, 1);
	ck_assert_str_eq(rest, "");
}
END_TEST

/*
 * A header that trickles in, a byte every 0.6 s against a timeout of
 * 1 s, times out once, about 1 s after the start: the timeout is one
 * deadline for the whole header, not a pause between two bytes.
 */
START_TEST(header_has_one_deadline)
{
	const char h[] = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n";
	struct timespec t0, t1;
	int sv[2];
	pid_t pid;
	size_t i;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		for (i = 0; i < 8 && write(sv[1], h + i, 1) == 1; i++)
			usleep(600000);
		_exit(0);
	}
	close(sv[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(proxy_read(sv[0], 1, &pi), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(sv[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert_msg(t1.tv_sec - t0.tv_sec < 2, "took %ld s",
	    (long)(t1.tv_sec - t0.tv_sec));
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

	n = v2_header(b, 1, 0x21, 36);
	inet_pton(AF_INET6, "2001:db8::7", b + 16);
	inet_pton(AF_INET6, "2001:db8::8", b + 32);
	b[48] = 0, b[49] = 80, b[50] = 0x1e, b[51] = 0x6c;
	ck_assert_int_eq(parse(b, n), (int)n);
	ck_assert_str_eq(src(), "[2001:db8::7]:80");
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
	tcase_add_test(tc, signature_whole_only);
	tcase_add_test(tc, v1_v2_destination);
	tcase_add_test(tc, v1_v2_edges);
	suite_add_tcase(s, tc);
	return check_run(s);
}
