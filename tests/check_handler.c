/*
 * The handler table and the built-in handlers, run over a socketpair
 * put on fd 0 and 1 exactly as a child would have it.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "handler.h"
#include "check_run.h"

START_TEST(table_lookup)
{
	ck_assert_str_eq(handler_find("reply")->name, "reply");
	ck_assert_str_eq(handler_find("echo")->name, "echo");
	ck_assert_str_eq(handler_find("exec")->name, "exec");
	ck_assert_ptr_null(handler_find("chargen"));
	ck_assert_ptr_null(handler_find(""));
	ck_assert_ptr_null(handler_find("Reply"));
	ck_assert_str_eq(handler_names(), "reply, echo, exec, module");
	ck_assert_str_eq(handler_find("module")->name, "module");
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
	suite_add_tcase(s, tc);
	return check_run(s);
}
