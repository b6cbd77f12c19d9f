/*
 * CIDR parsing and matching over IPv4, IPv6 and mapped addresses, and
 * how clients are grouped into sources.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/acl.h"
#include "lib/addr.h"
#include "check_run.h"

static struct sockaddr_storage ss;

static const struct sockaddr *
sa(const char *ip)
{
	socklen_t len;

	ck_assert_int_eq(addr_parse(ip, 1234, &ss, &len), 0);
	return (const struct sockaddr *)&ss;
}

static struct acl
acl_of(const char **v, size_t n)
{
	struct acl a = { calloc(n, sizeof(struct cidr)), n };
	size_t i;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(cidr_parse(v[i], &a.v[i]), 0);
	return a;
}

START_TEST(parse)
{
	static const char *good[] = { "10.0.0.0/8", "127.0.0.1", "::1",
	    "2001:db8::/32", "0.0.0.0/0", "::/0", "1.2.3.4/32", "::/128" };
	static const char *bad[] = { "10.0.0.0/33", "::/129", "10.0.0.0/",
	    "10.0.0.0/x", "host.example", "", "1.2.3.4/-1", "/8",
	    "1.2.3.4/8/8",
	    "::/2555555555555555555555" };
	struct cidr c;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(cidr_parse(good[i], &c) == 0, "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(cidr_parse(bad[i], &c) < 0, "%s", bad[i]);
	cidr_parse("10.0.0.0/8", &c);
	ck_assert_int_eq(c.bits, 8);
	cidr_parse("::1", &c);
	ck_assert_int_eq(c.bits, 128);
}
END_TEST

START_TEST(match_v4)
{
	const char *v[] = { "10.0.0.0/8", "192.168.1.7", "172.16.0.0/12" };
	struct acl a = acl_of(v, 3);

	ck_assert(acl_match(&a, sa("10.200.3.4")));
	ck_assert(acl_match(&a, sa("192.168.1.7")));
	ck_assert(!acl_match(&a, sa("192.168.1.8")));
	ck_assert(acl_match(&a, sa("172.31.255.255")));
	ck_assert(!acl_match(&a, sa("172.32.0.0")));
	ck_assert(!acl_match(&a, sa("11.0.0.0")));
	ck_assert(!acl_match(&a, sa("::1")));
	free(a.v);
}
END_TEST

START_TEST(match_v6_and_mapped)
{
	const char *v[] = { "2001:db8::/32", "10.0.0.0/8", "::1" };
	struct acl a = acl_of(v, 3);

	ck_assert(acl_match(&a, sa("2001:db8:1::5")));
	ck_assert(!acl_match(&a, sa("2001:db9::1")));
	ck_assert(acl_match(&a, sa("::1")));
	/* An IPv4 client of a dual-stack socket is judged as IPv4. */
	ck_assert(acl_match(&a, sa("::ffff:10.9.8.7")));
	ck_assert(!acl_match(&a, sa("::ffff:11.9.8.7")));
	free(a.v);
}
END_TEST

START_TEST(match_everything_and_nothing)
{
	const char *v[] = { "0.0.0.0/0", "::/0" };
	struct acl a = acl_of(v, 2), none = { NULL, 0 };

	ck_assert(acl_match(&a, sa("1.2.3.4")));
	ck_assert(acl_match(&a, sa("2001:db8::1")));
	ck_assert(!acl_match(&none, sa("1.2.3.4")));
	free(a.v);
}
END_TEST

START_TEST(v4_mapped_rules_are_ipv4)
{
	static const char *v[] = { "::ffff:192.0.2.0/120", "::ffff:10.1.2.3" };
	struct acl a = acl_of(v, 2);
	char buf[CIDR_STRLEN];

	ck_assert_int_eq(a.v[0].family, AF_INET);
	ck_assert_int_eq(a.v[0].bits, 24);
	cidr_text(&a.v[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "192.0.2.0/24");
	ck_assert_int_eq(a.v[1].family, AF_INET);
	ck_assert_int_eq(a.v[1].bits, 32);
	/* An IPv4 client, on an IPv4 socket or a dual-stack one. */
	ck_assert(acl_match(&a, sa("192.0.2.77")));
	ck_assert(acl_match(&a, sa("::ffff:192.0.2.77")));
	ck_assert(acl_match(&a, sa("10.1.2.3")));
	ck_assert(!acl_match(&a, sa("10.1.2.4")));
	ck_assert(!acl_match(&a, sa("192.0.3.1")));
	/* Shorter than /96 it reaches beyond the mapped block: IPv6. */
	ck_assert_int_eq(cidr_parse("::ffff:0.0.0.0/80", &a.v[0]), 0);
	ck_assert_int_eq(a.v[0].family, AF_INET6);
	free(a.v);
}
END_TEST

START_TEST(cidr_text_reads_back)
{
	static const char *v[] = { "10.0.0.0/8", "::1", "2001:db8::/32",
	    "1.2.3.4" };
	struct cidr c, d;
	char buf[CIDR_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(cidr_parse(v[i], &c), 0);
		cidr_text(&c, buf, sizeof(buf));
		ck_assert_int_eq(cidr_parse(buf, &d), 0);
		ck_assert_mem_eq(&c, &d, sizeof(c));
	}
}
END_TEST

START_TEST(sources)
{
	struct srckey a, b;

	srckey_make(&a, sa("2001:db8:0:1::1"), 64);
	srckey_make(&b, sa("2001:db8:0:1:ffff::2"), 64);
	ck_assert(srckey_eq(&a, &b));
	srckey_make(&b, sa("2001:db8:0:2::1"), 64);
	ck_assert(!srckey_eq(&a, &b));
	srckey_make(&a, sa("2001:db8:0:1::1"), 128);
	srckey_make(&b, sa("2001:db8:0:1::2"), 128);
	ck_assert(!srckey_eq(&a, &b));
	srckey_make(&a, sa("127.0.0.1"), 64);
	srckey_make(&b, sa("::ffff:127.0.0.1"), 64);
	ck_assert(srckey_eq(&a, &b));
	srckey_make(&b, sa("127.0.0.2"), 64);
	ck_assert(!srckey_eq(&a, &b));
	srckey_make(&a, sa("2001:db8::1"), 60);
	srckey_make(&b, sa("2001:db8:0:f::1"), 60);
	ck_assert(srckey_eq(&a, &b));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("acl");

	tcase_add_test(tc, parse);
	tcase_add_test(tc, match_v4);
	tcase_add_test(tc, match_v6_and_mapped);
	tcase_add_test(tc, match_everything_and_nothing);
	tcase_add_test(tc, v4_mapped_rules_are_ipv4);
	tcase_add_test(tc, cidr_text_reads_back);
	tcase_add_test(tc, sources);
	suite_add_tcase(s, tc);
	return check_run(s);
}
