/*
 * log_escape(): every byte value, UTF-8 edge cases, truncation.  What
 * comes out must never hold a control byte, whatever goes in.
 * log_msg() lines on fd 2 as snprintf builds them; log_data()'s
 * client bytes escaped and quoted at the end of the line.
 */
#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/log.h"
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

/*
 * Valid UTF-8 that fools a reader: line and paragraph separators, bidi
 * overrides and isolates, zero-width and other format characters, and
 * spaces other than ASCII's are escaped byte by byte.
 */
START_TEST(invisible_utf8_is_escaped)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "a\xe2\x80\xa8" "b", "a\\xe2\\x80\\xa8" "b" },	/* U+2028 LS */
		{ "\xe2\x80\xa9", "\\xe2\\x80\\xa9" },		/* U+2029 PS */
		{ "\xe2\x80\xaa", "\\xe2\\x80\\xaa" },		/* U+202A LRE */
		{ "\xe2\x80\xae", "\\xe2\\x80\\xae" },		/* U+202E RLO */
		{ "\xe2\x81\xa6", "\\xe2\\x81\\xa6" },		/* U+2066 LRI */
		{ "\xe2\x81\xa9", "\\xe2\\x81\\xa9" },		/* U+2069 PDI */
		{ "\xe2\x80\x8b", "\\xe2\\x80\\x8b" },		/* U+200B ZWSP */
		{ "\xe2\x80\x8f", "\\xe2\\x80\\x8f" },		/* U+200F RLM */
		{ "\xef\xbb\xbf", "\\xef\\xbb\\xbf" },		/* U+FEFF BOM */
		{ "\xc2\xad", "\\xc2\\xad" },			/* U+00AD SHY */
		{ "\xc2\xa0", "\\xc2\\xa0" },			/* U+00A0 NBSP */
		{ "\xd8\x9c", "\\xd8\\x9c" },			/* U+061C ALM */
		{ "\xe3\x80\x80", "\\xe3\\x80\\x80" },		/* U+3000 */
		{ "\xf3\xa0\x80\x81", "\\xf3\\xa0\\x80\\x81" },	/* U+E0001 */
		{ "\xf0\x9d\x85\xb3", "\\xf0\\x9d\\x85\\xb3" },	/* U+1D173 */
		/* Their neighbours are ordinary text. */
		{ "\xe2\x80\xa7", "\xe2\x80\xa7" },		/* U+2027 */
		{ "\xe2\x81\xb0", "\xe2\x81\xb0" },		/* U+2070 */
		{ "\xc2\xae", "\xc2\xae" },			/* U+00AE */
		{ "\xef\xbb\xbe", "\xef\xbb\xbe" },		/* U+FEFE */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(esc(cases[i].in, strlen(cases[i].in)),
		    cases[i].want);
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

/* Runs fn with fd 2 on a pipe and returns what it wrote there. */
static const char *
capture(void (*fn)(void))
{
	static char out[4096];
	int p[2], saved;
	ssize_t n;
	size_t len = 0;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ne(saved = dup(STDERR_FILENO), -1);
	ck_assert_int_eq(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	close(p[1]);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	while ((n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	out[len] = '\0';
	return out;
}

static void
say_plain(void)
{
	log_tag_pid(0);
	log_msg(LOG_ERR, "cannot listen on %s:%u: %s (%zu/%lld)", "0.0.0.0",
	    7788u, "Address already in use", SIZE_MAX, LLONG_MIN);
}

static void
say_pid(void)
{
	log_tag_pid(1);
	log_msg(LOG_INFO, "child %ld exited with status %d", 42L, -3);
}

static void
say_fallback(void)
{
	log_tag_pid(0);
	log_msg(LOG_ERR, "ratio %g over %5d, %x", 2.5, 7, 255u);
}

static char long_arg[5000];

static void
say_long(void)
{
	log_tag_pid(0);
	log_msg(LOG_ERR, "%s", long_arg);
}

static void
say_long_fallback(void)
{
	log_tag_pid(0);
	log_msg(LOG_ERR, "%5s", long_arg);
}

START_TEST(msg_matches_snprintf)
{
	char want[512];

	snprintf(want, sizeof(want),
	    "replyd: cannot listen on %s:%u: %s (%zu/%lld)\n", "0.0.0.0",
	    7788u, "Address already in use", SIZE_MAX, LLONG_MIN);
	ck_assert_str_eq(capture(say_plain), want);
	snprintf(want, sizeof(want),
	    "replyd[%ld]: child %ld exited with status %d\n",
	    (long)getpid(), 42L, -3);
	ck_assert_str_eq(capture(say_pid), want);
	snprintf(want, sizeof(want), "replyd: ratio %g over %5d, %x\n",
	    2.5, 7, 255u);
	ck_assert_str_eq(capture(say_fallback), want);
}
END_TEST

/* 2047 bytes at most, the last one '\n', on both paths. */
START_TEST(msg_long_line_is_capped)
{
	char want[2048];
	const char *got;

	memset(long_arg, 'a', sizeof(long_arg) - 1);
	memcpy(want, "replyd: ", 8);
	memset(want + 8, 'a', 2046 - 8);
	memcpy(want + 2046, "\n", 2);
	got = capture(say_long);
	ck_assert_uint_eq(strlen(got), 2047);
	ck_assert_str_eq(got, want);
	ck_assert_str_eq(capture(say_long_fallback), want);
}
END_TEST

static void
say_data(void)
{
	log_tag_pid(0);
	log_data(LOG_INFO, "hi\n\"\\\xff", 6, "%s: received %zd bytes",
	    "svc", (ssize_t)6);
}

static unsigned char worst[LOG_DATA_MAX + 1];

static void
say_worst_data(void)
{
	log_tag_pid(0);
	log_data(LOG_INFO, worst, sizeof(worst), "%s", "svc");
}

static void
say_data_after_long(void)
{
	log_tag_pid(0);
	log_data(LOG_INFO, "x", 1, "%s", long_arg);
}

/* Leaves room for 10 bytes of data, not enough to show one. */
static void
say_data_short_room(void)
{
	log_tag_pid(0);
	log_data(LOG_INFO, "x", 1, "%.*s", 2047 - 8 - 10, long_arg);
}

/* The client's bytes escaped, quoted, after the message. */
START_TEST(data_is_escaped_after_the_message)
{
	const char *got;

	ck_assert_str_eq(capture(say_data),
	    "replyd: svc: received 6 bytes: \"hi\\x0a\\\"\\\\\\xff\"\n");
	/* The most data a line shows fits whole, with its marker. */
	memset(worst, 0x01, sizeof(worst));
	got = capture(say_worst_data);
	ck_assert_uint_eq(strlen(got), 8 + 3 + 3 + LOG_DATA_MAX * 4 + 3 + 2);
	ck_assert_int_eq(memcmp(got, "replyd: svc: \"\\x01", 18), 0);
	ck_assert_str_eq(got + strlen(got) - 5, "...\"\n");
	/* A message that fills the line leaves the data out, not cut. */
	memset(long_arg, 'a', sizeof(long_arg) - 1);
	got = capture(say_data_after_long);
	ck_assert_uint_le(strlen(got), 2047);
	ck_assert_ptr_null(strchr(got, '"'));
	ck_assert_int_eq(got[strlen(got) - 1], '\n');
	/* Nor an empty pair of quotes, as if no data had come. */
	got = capture(say_data_short_room);
	ck_assert_ptr_null(strchr(got, '"'));
	ck_assert_uint_eq(strlen(got), 8 + 2029 + 1);
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
	tcase_add_test(tc, invisible_utf8_is_escaped);
	tcase_add_test(tc, newline_and_format);
	tcase_add_test(tc, long_input_is_truncated);
	tcase_add_test(tc, worst_case_fits);
	tcase_add_test(tc, small_buffer_is_safe);
	suite_add_tcase(s, tc);
	tc = tcase_create("msg");
	tcase_add_test(tc, msg_matches_snprintf);
	tcase_add_test(tc, msg_long_line_is_capped);
	tcase_add_test(tc, data_is_escaped_after_the_message);
	suite_add_tcase(s, tc);
	return check_run(s);
}
