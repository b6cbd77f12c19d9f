/*
 * log_escape(): every byte value, UTF-8 edge cases, truncation.  What
 * comes out must never hold a control byte, whatever goes in.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "check_run.h"

static const char *
esc(const void *in, size_t n)
{
	static char out[LOG_ESCAPED_MAX];

	log_escape(out, sizeof(out), in, n);
	return out;
}

START_TEST(every_single_byte)
{
	unsigned char b = (unsigned char)_i;
	char want[8];

	if (b == '\\' || b == '"')
		snprintf(want, sizeof(want), "\\%c", b);
	else if (b >= 0x20 && b < 0x7f)
		snprintf(want, sizeof(want), "%c", b);
	else
		snprintf(want, sizeof(want), "\\x%02x", b);
	ck_assert_str_eq(esc(&b, 1), want);
}
END_TEST

START_TEST(no_control_byte_survives)
{
	unsigned char in[256];
	const unsigned char *p;
	int i;

	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)(255 - i);
	for (p = (const unsigned char *)esc(in, sizeof(in)); *p; p++)
		ck_assert_msg(*p >= 0x20 && *p != 0x7f, "byte 0x%02x", *p);
}
END_TEST

START_TEST(valid_utf8_is_kept)
{
	ck_assert_str_eq(esc("caf\xc3\xa9", 5), "caf\xc3\xa9");
	ck_assert_str_eq(esc("\xe2\x82\xac", 3), "\xe2\x82\xac");
	ck_assert_str_eq(esc("\xf0\x9f\x98\x80", 4), "\xf0\x9f\x98\x80");
}
END_TEST

START_TEST(bad_utf8_is_escaped)
{
	/* overlong, surrogate, C1 control, beyond U+10FFFF, cut short */
	ck_assert_str_eq(esc("\xc0\x80", 2), "\\xc0\\x80");
	ck_assert_str_eq(esc("\xed\xa0\x80", 3), "\\xed\\xa0\\x80");
	ck_assert_str_eq(esc("\xc2\x9b", 2), "\\xc2\\x9b");
	ck_assert_str_eq(esc("\xf4\x90\x80\x80", 4), "\\xf4\\x90\\x80\\x80");
	ck_assert_str_eq(esc("\xe2\x82", 2), "\\xe2\\x82");
	ck_assert_str_eq(esc("\xe0\x80\x80", 3), "\\xe0\\x80\\x80");
}
END_TEST

START_TEST(newline_and_format)
{
	ck_assert_str_eq(esc("a\nb%n\r", 6), "a\\x0ab%n\\x0d");
	ck_assert_str_eq(esc("\0x", 2), "\\x00x");
}
END_TEST

START_TEST(long_input_is_truncated)
{
	char in[1000], want[LOG_DATA_MAX + 4];

	memset(in, 'a', sizeof(in));
	memset(want, 'a', LOG_DATA_MAX);
	strcpy(want + LOG_DATA_MAX, "...");
	ck_assert_str_eq(esc(in, sizeof(in)), want);
	want[LOG_DATA_MAX] = '\0';
	ck_assert_str_eq(esc(in, LOG_DATA_MAX), want);
}
END_TEST

START_TEST(worst_case_fits)
{
	unsigned char in[LOG_DATA_MAX + 10];
	char out[LOG_ESCAPED_MAX];

	memset(in, 0x01, sizeof(in));
	log_escape(out, sizeof(out), in, sizeof(in));
	ck_assert_uint_eq(strlen(out), LOG_DATA_MAX * 4 + 3);
}
END_TEST

START_TEST(small_buffer_is_safe)
{
	char out[6];

	log_escape(out, sizeof(out), "\x01\x02\x03", 3);
	ck_assert_uint_lt(strlen(out), sizeof(out));
	log_escape(out, 0, "x", 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("escape");

	tcase_add_loop_test(tc, every_single_byte, 0, 256);
	tcase_add_test(tc, no_control_byte_survives);
	tcase_add_test(tc, valid_utf8_is_kept);
	tcase_add_test(tc, bad_utf8_is_escaped);
	tcase_add_test(tc, newline_and_format);
	tcase_add_test(tc, long_input_is_truncated);
	tcase_add_test(tc, worst_case_fits);
	tcase_add_test(tc, small_buffer_is_safe);
	suite_add_tcase(s, tc);
	return check_run(s);
}
