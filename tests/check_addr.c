/*
 * Address parsing and printing: what listen accepts, how peers print.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "check_run.h"

START_TEST(parses_numeric_addresses)
{
	struct sockaddr_storage ss;
	socklen_t len;

	ck_assert_int_eq(addr_parse("127.0.0.1", 80, &ss, &len), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&ss)->sin_port), 80);
	ck_assert_int_eq(addr_parse("::1", 1, &ss, &len), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert_int_eq(addr_parse("[::]", 1, &ss, &len), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert_int_eq(addr_parse("0.0.0.0", 0, &ss, &len), 0);
}
END_TEST

START_TEST(rejects_names_and_junk)
{
	static const char *bad[] = { "localhost", "", "1.2.3", "300.1.1.1",
	    "::1::2", "[::1", "1.2.3.4:80", "[]", "example.org" };
	struct sockaddr_storage ss;
	socklen_t len;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(addr_parse(bad[i], 0, &ss, &len) < 0, "%s", bad[i]);
}
END_TEST

START_TEST(prints_mapped_ipv4_as_ipv4)
{
	struct sockaddr_in6 in6;
	struct addr_text t;
	char joined[ADDR_STRLEN];

	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(7788);
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr);
	ck_assert_int_eq(addr_text((struct sockaddr *)&in6, &t), 0);
	ck_assert_str_eq(t.ip, "10.1.2.3");
	ck_assert_str_eq(t.port, "7788");
	addr_join(&t, joined, sizeof(joined));
	ck_assert_str_eq(joined, "10.1.2.3:7788");
}
END_TEST

START_TEST(prints_ipv6_in_brackets)
{
	struct sockaddr_storage ss;
	struct addr_text t;
	char joined[ADDR_STRLEN];
	socklen_t len;

	addr_parse("2001:db8::1", 443, &ss, &len);
	ck_assert_int_eq(addr_text((struct sockaddr *)&ss, &t), 0);
	addr_join(&t, joined, sizeof(joined));
	ck_assert_str_eq(joined, "[2001:db8::1]:443");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("addr");

	tcase_add_test(tc, parses_numeric_addresses);
	tcase_add_test(tc, rejects_names_and_junk);
	tcase_add_test(tc, prints_mapped_ipv4_as_ipv4);
	tcase_add_test(tc, prints_ipv6_in_brackets);
	suite_add_tcase(s, tc);
	return check_run(s);
}
