/*
 * The handler table and the built-in handlers, run over a socketpair
 * put on fd 0 and 1 exactly as a child would have it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "handlers/handler.h"
#include "check_run.h"

START_TEST(table_lookup)
{
	ck_assert_str_eq(handler_find("reply")->name, "reply");
	ck_assert_str_eq(handler_find("echo")->name, "echo");
	ck_assert_str_eq(handler_find("exec")->name, "exec");
	ck_assert_ptr_null(handler_find("qotd"));
	ck_assert_ptr_null(handler_find(""));
	ck_assert_ptr_null(handler_find("Reply"));
	ck_assert_str_eq(handler_names(), "reply, echo, exec, module, discard, "
	    "daytime, time, chargen, status");
	ck_assert_str_eq(handler_find("module")->name, "module");
	ck_assert_str_eq(handler_find("discard")->name, "discard");
	ck_assert_str_eq(handler_find("daytime")->name, "daytime");
	ck_assert_str_eq(handler_find("time")->name, "time");
	ck_assert_str_eq(handler_find("chargen")->name, "chargen");
}
END_TEST

static struct service svc;
static int peer;

/* The handler's end on fd 0 and 1; the test keeps `peer`. */
static void
setup(void)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	dup2(sv[0], 0);
	dup2(sv[0], 1);
	close(sv[0]);
	peer = sv[1];
	memset(&svc, 0, sizeof(svc));
	svc.name = "test";
	svc.reply = "thank you !\n";
	svc.reply_len = 12;
	svc.max_request = 1024;
	svc.timeout = 2;
}

static int
run(const char *handler)
{
	struct conn c = { .svc = &svc };

	strcpy(c.peer, "stdin");
	svc.handler = handler_find(handler);
	return svc.handler->serve(&c);
}

/* Everything the handler wrote, once it is done and fd 0/1 are closed. */
static const char *
drain(void)
{
	static char buf[65536];
	size_t n = 0;
	ssize_t r;

	close(0);
	close(1);
	while ((r = read(peer, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	return buf;
}

START_TEST(reply_answers_one_request)
{
	ck_assert_int_eq(write(peer, "hello\n", 6), 6);
	ck_assert_int_eq(run("reply"), 0);
	ck_assert_str_eq(drain(), "thank you !\n");
}
END_TEST

START_TEST(reply_answers_empty_request)
{
	shutdown(peer, SHUT_WR);
	ck_assert_int_eq(run("reply"), 0);
	ck_assert_str_eq(drain(), "thank you !\n");
}
END_TEST

START_TEST(reply_answers_after_timeout)
{
	svc.timeout = 1;
	ck_assert_int_eq(run("reply"), 0);
	ck_assert_str_eq(drain(), "thank you !\n");
}
END_TEST

START_TEST(reply_reads_at_most_max_request)
{
	char buf[16];

	svc.max_request = 3;
	ck_assert_int_eq(write(peer, "abcdef", 6), 6);
	ck_assert_int_eq(run("reply"), 0);
	/* The rest is still unread on the handler's side. */
	ck_assert_int_eq(read(0, buf, sizeof(buf)), 3);
	ck_assert_str_eq(drain(), "thank you !\n");
}
END_TEST

START_TEST(echo_until_eof)
{
	static char big[200000];
	size_t total = 0;
	ssize_t r;
	pid_t pid;
	int st;

	memset(big, 'z', sizeof(big));
	if ((pid = fork()) == 0) {
		/* The client: writes, half-closes, counts what comes back. */
		close(0);
		close(1);
		if (fork() == 0) {
			(void)!write(peer, big, sizeof(big));
			shutdown(peer, SHUT_WR);
			_exit(0);
		}
		while ((r = read(peer, big, sizeof(big))) > 0)
			total += r;
		_exit(total == sizeof(big) ? 0 : 1);
	}
	close(peer);
	ck_assert_int_eq(run("echo"), 0);
	close(0);
	close(1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the client did not get every byte back");
}
END_TEST

START_TEST(discard_answers_nothing)
{
	ck_assert_int_eq(write(peer, "abc", 3), 3);
	shutdown(peer, SHUT_WR);
	ck_assert_int_eq(run("discard"), 0);
	ck_assert_str_eq(drain(), "");
}
END_TEST

START_TEST(daytime_is_one_line)
{
	const char *out;

	ck_assert_int_eq(run("daytime"), 0);
	out = drain();
	ck_assert_uint_eq(strlen(out), 26);
	ck_assert_str_eq(out + 24, "\r\n");
}
END_TEST

START_TEST(time_is_now_since_1900)
{
	const unsigned char *b;
	long long t, now = (long long)time(NULL) + 2208988800LL;

	ck_assert_int_eq(run("time"), 0);
	b = (const unsigned char *)drain();
	t = (long long)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	ck_assert_int_le(llabs(t - now % 4294967296LL), 2);
}
END_TEST

/* 2036: the count goes on from 0, the low 32 bits of the true one. */
START_TEST(time_wraps_in_2036)
{
	/* 1900 itself is out of reach of a 32-bit time_t (i386). */
	long long y1900 = -2208988800LL;

	ck_assert_uint_eq(time_rfc868(0), 2208988800U);
	if ((long long)(time_t)y1900 == y1900)
		ck_assert_uint_eq(time_rfc868((time_t)y1900), 0);
	/* 2036-02-07 06:28:15 and 06:28:16 UTC */
	ck_assert_uint_eq(time_rfc868(2085978495L), 4294967295U);
	ck_assert_uint_eq(time_rfc868(2085978496L), 0);
	ck_assert_uint_eq(time_rfc868(2085978496L + 86400), 86400);
}
END_TEST

/* UDP: the answer stays within max_amplification of the request. */
START_TEST(chargen_udp_within_amplification)
{
	const char *out;
	int i;

	svc.proto = PROTO_UDP;
	svc.max_amplification = 3;
	ck_assert_int_eq(write(peer, "0123456789", 10), 10);
	shutdown(peer, SHUT_WR);
	ck_assert_int_eq(run("chargen"), 0);
	out = drain();
	ck_assert_uint_ge(strlen(out), 1);
	ck_assert_uint_le(strlen(out), 30);
	for (i = 0; out[i] != '\0'; i++)
		ck_assert(out[i] == '\r' || out[i] == '\n' ||
		    (out[i] >= ' ' && out[i] <= '~'));
}
END_TEST

START_TEST(chargen_udp_empty_request)
{
	svc.proto = PROTO_UDP;
	svc.max_amplification = 3;
	shutdown(peer, SHUT_WR);
	ck_assert_int_eq(run("chargen"), 0);
	ck_assert_str_eq(drain(), "");
}
END_TEST

/* TCP: a client that reads nothing ends the stream after timeout. */
START_TEST(chargen_tcp_ends_at_timeout)
{
	time_t start = time(NULL);

	svc.timeout = 1;
	ck_assert_int_eq(run("chargen"), 0);
	ck_assert_int_le(time(NULL) - start, 3);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("handler");
	TCase *table = tcase_create("table");
	TCase *tc = tcase_create("builtin");

	tcase_add_test(table, table_lookup);
	suite_add_tcase(s, table);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, reply_answers_one_request);
	tcase_add_test(tc, reply_answers_empty_request);
	tcase_add_test(tc, reply_answers_after_timeout);
	tcase_add_test(tc, reply_reads_at_most_max_request);
	tcase_add_test(tc, echo_until_eof);
	tcase_add_test(tc, discard_answers_nothing);
	tcase_add_test(tc, daytime_is_one_line);
	tcase_add_test(tc, time_is_now_since_1900);
	tcase_add_test(table, time_wraps_in_2036);
	tcase_add_test(tc, chargen_udp_within_amplification);
	tcase_add_test(tc, chargen_udp_empty_request);
	tcase_add_test(tc, chargen_tcp_ends_at_timeout);
	suite_add_tcase(s, tc);
	return check_run(s);
}
