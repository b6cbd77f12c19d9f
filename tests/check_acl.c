/*
 * CIDR parsing and matching over IPv4, IPv6 and mapped addresses, and
 * how clients are grouped into sources.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
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
	ck_assert(!acl_match(&a, sa("192.168.1.6")));	/* a host is /32 */
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
	ck_assert_int_eq(cidr_parse("::ffff:0.0.0.0/95", &a.v[0]), 0);
	ck_assert_int_eq(a.v[0].family, AF_INET6);
	ck_assert_int_eq(a.v[0].bits, 95);
	free(a.v);
}
END_TEST

/* A mapped rule is the very rule its IPv4 spelling gives. */
START_TEST(v4_mapped_rules_equal_their_ipv4_spelling)
{
	static const char *pairs[][2] = {
		{ "::ffff:192.0.2.0/120", "192.0.2.0/24" },
		{ "::ffff:10.1.2.3", "10.1.2.3" },
		{ "::ffff:255.255.255.255", "255.255.255.255" },
		{ "::ffff:0.0.0.0/96", "0.0.0.0/0" },
	};
	struct cidr m, v4;
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		ck_assert_int_eq(cidr_parse(pairs[i][0], &m), 0);
		ck_assert_int_eq(cidr_parse(pairs[i][1], &v4), 0);
		ck_assert_msg(memcmp(&m, &v4, sizeof(m)) == 0, "%s is not %s",
		    pairs[i][0], pairs[i][1]);
	}
}
END_TEST

/* The longest spelling of an address with a prefix fits; one more not. */
START_TEST(parse_length_limit)
{
	struct cidr c;

	ck_assert_int_eq(cidr_parse(
	    "0000:0000:0000:0000:0000:ffff:255.255.255.255/128", &c), 0);
	ck_assert_int_eq(cidr_parse(
	    "0000:0000:0000:0000:0000:ffff:255.255.255.255/0128", &c), -1);
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
	/* No family: a question mark, not whatever the stack held. */
	memset(&c, 0, sizeof(c));
	cidr_text(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "?/0");
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
	/* An IPv4 source is never an IPv6 one, whatever the bytes. */
	srckey_make(&a, sa("10.32.1.13"), 64);
	srckey_make(&b, sa("2001:d00::1"), 64);
	ck_assert(!srckey_eq(&a, &b));
}
END_TEST

/*
 * A prefix ends on any bit: for every length, the last bit it covers
 * must match and the first it does not is free.
 */
START_TEST(prefixes_end_on_any_bit)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct cidr c;
	struct acl a = { &c, 1 };
	char rule[32];
	int bits;

	for (bits = 1; bits < 32; bits++) {
		snprintf(rule, sizeof(rule), "255.255.255.255/%d", bits);
		ck_assert_int_eq(cidr_parse(rule, &c), 0);
		in.sin_addr.s_addr = htonl(~(1u << (32 - bits)));
		ck_assert_msg(!acl_match(&a, (struct sockaddr *)&in),
		    "%s matched with its last bit off", rule);
		in.sin_addr.s_addr = htonl(~(1u << (31 - bits)));
		ck_assert_msg(acl_match(&a, (struct sockaddr *)&in),
		    "%s did not match with the next bit off", rule);
	}
}
END_TEST

/* An IPv6 address of all ones but for bit n (0: the highest). */
static const struct sockaddr *
ones_but(int n)
{
	static struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };

	memset(&in6.sin6_addr, 0xff, sizeof(in6.sin6_addr));
	if (n < 128)
		in6.sin6_addr.s6_addr[n / 8] &= ~(0x80 >> (n % 8));
	return (const struct sockaddr *)&in6;
}

/*
 * IPv6 sources grouped by any prefix length: the last bit of the
 * prefix tells two sources apart, the first bit after it does not.
 */
START_TEST(source_prefixes_end_on_any_bit)
{
	struct srckey all, k;
	int bits;

	for (bits = 1; bits < 128; bits++) {
		srckey_make(&all, ones_but(128), bits);
		srckey_make(&k, ones_but(bits - 1), bits);
		ck_assert_msg(!srckey_eq(&all, &k), "/%d: bit %d ignored",
		    bits, bits - 1);
		srckey_make(&k, ones_but(bits), bits);
		ck_assert_msg(srckey_eq(&all, &k), "/%d: bit %d counted",
		    bits, bits);
	}
}
END_TEST

/* The sources of a /24 spread over most of the rate table's buckets. */
START_TEST(source_hash_spreads)
{
	static unsigned char seen[1024];
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct srckey k;
	unsigned i, n = 0, h;

	for (i = 0; i < 256; i++) {
		in.sin_addr.s_addr = htonl(0xc0000200 | i);	/* 192.0.2.i */
		srckey_make(&k, (struct sockaddr *)&in, 64);
		h = srckey_hash(&k) % 1024;
		n += !seen[h];
		seen[h] = 1;
	}
	ck_assert_uint_ge(n, 200);
}
END_TEST

/*
 * A source is its address and nothing more: not the padding of a
 * sockaddr_in, nor the bytes stored next to the key; a prefix longer
 * than an IPv6 address is the whole address, and nothing past the key
 * is written.
 */
START_TEST(a_source_is_its_address_alone)
{
	struct {
		struct srckey	k;
		unsigned char	after;
	} x, y;
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct srckey clean;

	in.sin_addr.s_addr = htonl(0xc0000207);		/* 192.0.2.7 */
	srckey_make(&clean, (struct sockaddr *)&in, 64);
	memset(in.sin_zero, 0xa5, sizeof(in.sin_zero));
	srckey_make(&x.k, (struct sockaddr *)&in, 64);
	ck_assert(srckey_eq(&clean, &x.k));

	srckey_make(&clean, ones_but(128), 128);
	x.after = 0x5a;
	srckey_make(&x.k, ones_but(128), 136);
	ck_assert(srckey_eq(&clean, &x.k));
	ck_assert_int_eq(x.after, 0x5a);

	/* Equal keys share a rate bucket wherever they are stored. */
	y.k = x.k;
	y.after = 0xa5;
	ck_assert_uint_eq(srckey_hash(&x.k), srckey_hash(&y.k));
}
END_TEST

/*
 * An IPv4 source and an IPv6 prefix of the same bytes are two sources:
 * they spread over the rate table's buckets independently.
 */
START_TEST(families_spread_apart)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct srckey k4, k6;
	unsigned i, same = 0;

	for (i = 0; i < 256; i++) {
		in.sin_addr.s_addr = htonl(0xc0000200 | i);	/* 192.0.2.i */
		memcpy(&in6.sin6_addr, &in.sin_addr, 4);	/* c000:2i:: */
		srckey_make(&k4, (struct sockaddr *)&in, 32);
		srckey_make(&k6, (struct sockaddr *)&in6, 32);
		ck_assert(!srckey_eq(&k4, &k6));
		same += srckey_hash(&k4) % 1024 == srckey_hash(&k6) % 1024;
	}
	ck_assert_uint_le(same, 8);
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
	tcase_add_test(tc, v4_mapped_rules_equal_their_ipv4_spelling);
	tcase_add_test(tc, parse_length_limit);
	tcase_add_test(tc, prefixes_end_on_any_bit);
	tcase_add_test(tc, cidr_text_reads_back);
	tcase_add_test(tc, sources);
	tcase_add_test(tc, source_prefixes_end_on_any_bit);
	tcase_add_test(tc, source_hash_spreads);
	tcase_add_test(tc, a_source_is_its_address_alone);
	tcase_add_test(tc, families_spread_apart);
	suite_add_tcase(s, tc);
	return check_run(s);
}
