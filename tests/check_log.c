/*
 * log_escape(): every byte value, UTF-8 edge cases, truncation.  What
 * comes out must never hold a control byte, whatever goes in.
 * log_format(): byte for byte what snprintf gives for the forms it
 * takes, never a byte past its buffer, -1 for the rest; and log_msg()
 * lines on fd 2 as they were when snprintf built them; log_data()'s
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

static int	fmt(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = log_format(buf, size, f, ap);
	va_end(ap);
	return n;
}

/* Compared with memcmp too: "%c" may put a NUL inside the line. */
#define SAME(...) do {							\
	char want_[512], got_[512];					\
	int wn_ = snprintf(want_, sizeof(want_), __VA_ARGS__);		\
	int gn_ = fmt(got_, sizeof(got_), __VA_ARGS__);			\
									\
	ck_assert_int_eq(gn_, wn_);					\
	ck_assert_str_eq(got_, want_);					\
	ck_assert(memcmp(got_, want_, (size_t)wn_ + 1) == 0);		\
} while (0)

/* A variable the compiler cannot see is NULL, so it lets %s have it. */
static const char *volatile null_str;

START_TEST(format_ints)
{
	SAME("%d %d %d %d %d", INT_MIN, -1, 0, 1, INT_MAX);
	SAME("%u %u %u", 0u, 1u, UINT_MAX);
	SAME("%ld %ld %ld", LONG_MIN, 0L, LONG_MAX);
	SAME("%lu %lu", 0UL, ULONG_MAX);
	SAME("%lld %lld %lld", LLONG_MIN, -10LL, LLONG_MAX);
	SAME("%llu %llu", 0ULL, ULLONG_MAX);
	SAME("%zu %zu %zu", (size_t)0, (size_t)10, SIZE_MAX);
	SAME("%zd %zd %zd", (ssize_t)-1, (ssize_t)0, (ssize_t)SSIZE_MAX);
	SAME("%d%u%ld", 7, 8u, 9L);
}
END_TEST

START_TEST(format_strings)
{
	static const char raw[3] = { 'a', 'b', 'c' };	/* no NUL */

	SAME("%s", "");
	SAME("[%s]", "abc");
	SAME("%.0s|%.2s|%.3s|%.10s", "abc", "abc", "abc", "abc");
	SAME("%.*s|%.*s|%.*s|%.*s", 0, "abc", 2, "abc", 10, "abc", -1, "abc");
	SAME("%.*s|%.0s", 5, "", "");
	SAME("%.3s", raw);
	SAME("%.*s", 2, raw);
	SAME("%s|%.6s|%.*s", null_str, null_str, -1, null_str);
	SAME("%.3s|%.0s|%.*s", null_str, null_str, 5, null_str);
}
END_TEST

/* A precision bounds the read too: the bytes end at a PROT_NONE page. */
START_TEST(format_precision_stops_reading)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p, buf[8];

	p = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(mprotect(p + pg, (size_t)pg, PROT_NONE), 0);
	memcpy(p + pg - 3, "abc", 3);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%.3s", p + pg - 3), 3);
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%.*s", 2, p + pg - 2), 2);
	ck_assert_str_eq(buf, "bc");
	munmap(p, (size_t)pg * 2);
}
END_TEST

START_TEST(format_chars_and_percent)
{
	SAME("%%");
	SAME("100%% of %d%%", 3);
	SAME("%c%c%c", 'a', ' ', '~');
	SAME("a%cb", '\0');
	SAME("%c", 0xe9);
}
END_TEST

START_TEST(format_mixed)
{
	SAME("%s:%d: port must be an integer from 0 to 65535 (got %lld)",
	    "/etc/replyd.conf", 12, 70000LL);
	SAME("child %ld exited with status %d after %ld ms", 4242L, 1, 17L);
	SAME("%s: sent %zu bytes, %llu total, \"%.*s\"", "echo", (size_t)5,
	    123456789012ULL, 3, "hello");
}
END_TEST

/*
 * Every size from 0 to past the full length: what lands in the buffer
 * is what snprintf puts there, the rest is the canary, untouched.
 */
#define CUT(...) do {							\
	char want_[64], got_[64];					\
	int full_ = snprintf(want_, sizeof(want_), __VA_ARGS__);	\
	size_t sz_, i_, used_;						\
									\
	for (sz_ = 0; sz_ <= (size_t)full_ + 2; sz_++) {		\
		memset(got_, 0x5a, sizeof(got_));			\
		snprintf(want_, sz_, __VA_ARGS__);			\
		ck_assert_int_eq(fmt(got_, sz_, __VA_ARGS__),		\
		    sz_ == 0 ? 0 : sz_ - 1 < (size_t)full_ ?		\
		    (int)sz_ - 1 : full_);				\
		used_ = sz_ < (size_t)full_ + 1 ? sz_ : (size_t)full_ + 1; \
		ck_assert_msg(memcmp(got_, want_, used_) == 0,		\
		    "size %zu", sz_);					\
		for (i_ = used_; i_ < sizeof(got_); i_++)		\
			ck_assert_msg(got_[i_] == 0x5a,			\
			    "size %zu: byte %zu written", sz_, i_);	\
	}								\
} while (0)

START_TEST(format_truncates)
{
	CUT("plain text");
	CUT("%s and %.2s", "abcdef", "xyz");
	CUT("n=%d", INT_MIN);
	CUT("%zu%%", SIZE_MAX);
	CUT("%lld", LLONG_MIN);
	CUT("%c%c", 'x', 'y');
	CUT("%s", null_str);
}
END_TEST

START_TEST(format_exact_fit)
{
	char buf[4 + 1];

	memset(buf, 0x5a, sizeof(buf));
	ck_assert_int_eq(fmt(buf, 4, "%d", 123), 3);
	ck_assert_str_eq(buf, "123");
	ck_assert_int_eq(buf[4], 0x5a);
	ck_assert_int_eq(fmt(buf, 4, "%d", 1234), 3);
	ck_assert_str_eq(buf, "123");
	ck_assert_int_eq(fmt(buf, 1, "%s", "x"), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(format_refuses_the_rest)
{
	char buf[64];
	int x = 0;

	ck_assert_int_eq(fmt(buf, sizeof(buf), "%g", 1.5), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%x", 255u), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%p", (void *)&x), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%5d", 1), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%05d", 1), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%-3s", "a"), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%+d", 1), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "% d", 1), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%*d", 3, 1), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%.3d", 1), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%hd", 1), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%jd", (intmax_t)1), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%ls", L"a"), -1);
	ck_assert_int_eq(fmt(buf, sizeof(buf), "%lc", 'a'), -1);
	/* After the cut too: the fallback must not depend on room. */
	ck_assert_int_eq(fmt(buf, 3, "abcdef %g", 1.5), -1);
	ck_assert_uint_lt(strlen(buf), 3);
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
	tc = tcase_create("format");
	tcase_add_test(tc, format_ints);
	tcase_add_test(tc, format_strings);
	tcase_add_test(tc, format_precision_stops_reading);
	tcase_add_test(tc, format_chars_and_percent);
	tcase_add_test(tc, format_mixed);
	tcase_add_test(tc, format_truncates);
	tcase_add_test(tc, format_exact_fit);
	tcase_add_test(tc, format_refuses_the_rest);
	suite_add_tcase(s, tc);
	tc = tcase_create("msg");
	tcase_add_test(tc, msg_matches_snprintf);
	tcase_add_test(tc, msg_long_line_is_capped);
	tcase_add_test(tc, data_is_escaped_after_the_message);
	suite_add_tcase(s, tc);
	return check_run(s);
}
