/*
 * The handler table (its names, resolving a loaded configuration), the
 * module handler's own list of what it loaded, and the built-in
 * handlers, run over a socketpair put on fd 0 and 1 exactly as a child
 * would have it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "handlers/handler.h"
#include "check_run.h"

START_TEST(table_lookup)
{
	static const char *const want[] = { "reply", "echo", "exec",
	    "module", "discard", "daytime", "time", "chargen", "status",
	    NULL };
	const char *const *names = handler_names();
	size_t i;

	ck_assert_ptr_null(handler_find("qotd"));
	ck_assert_ptr_null(handler_find(""));
	ck_assert_ptr_null(handler_find("Reply"));
	for (i = 0; want[i] != NULL; i++) {
		ck_assert_str_eq(names[i], want[i]);
		ck_assert_str_eq(handler_find(want[i])->name, want[i]);
	}
	ck_assert_ptr_null(names[i]);
}
END_TEST

static char cpath[64];
static struct errlist errs;

/* The configuration text, written to a file of its own. */
static const char *
conf_file(const char *text)
{
	int fd;

	if (cpath[0] != '\0')
		unlink(cpath);
	strcpy(cpath, "/tmp/check_handler.XXXXXX");
	ck_assert_int_ge(fd = mkstemp(cpath), 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	errlist_free(&errs);
	return cpath;
}

static struct conf *
load(const char *text)
{
	struct conf_opts o = { .port = -1 };

	return handler_conf_load(conf_file(text), &o, &errs);
}

static void
unlink_conf(void)
{
	if (cpath[0] != '\0')
		unlink(cpath);
	errlist_free(&errs);
}

START_TEST(load_resolves_each_service)
{
	struct conf *c = load("user = \"root\";\nservices = (\n"
	    " { name = \"a\"; port = 1; },\n"
	    " { name = \"b\"; port = 2; handler = \"status\"; }\n);\n");

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_eq(c->svc[0].handler, handler_find("reply"));
	ck_assert_ptr_eq(c->svc[1].handler, handler_find("status"));
	conf_free(c);
}
END_TEST

START_TEST(load_names_the_table)
{
	ck_assert_ptr_null(load("user = \"root\";\nhandler = \"qotd\";\n"));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.msg[0] + strlen(cpath), ":2: handler must be "
	    "one of reply, echo, exec, module, discard, daytime, time, "
	    "chargen, status (got \"qotd\")");
}
END_TEST

/* A name the table does not have, from a load without its names. */
START_TEST(resolve_refuses_an_unknown_name)
{
	struct conf_opts o = { .port = -1 };
	struct conf *c;

	c = conf_load(conf_file("user = \"root\";\nhandler = \"qotd\";\n"),
	    &o, &errs);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(handler_resolve(c, &errs), -1);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.msg[0] + strlen(cpath),
	    ": service \"7788/tcp\": no handler \"qotd\"");
	conf_free(c);
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
serve(const struct service *s)
{
	struct conn c = { .svc = s };

	strcpy(c.peer, "stdin");
	return s->handler->serve(&c);
}

static int
run(const char *handler)
{
	svc.handler = handler_find(handler);
	return serve(&svc);
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

/* Two configurations naming the example module (tests/Makefile.inc). */
static struct conf *
load_upper(void)
{
	const char *dir = getenv("MODULES");
	char text[512];

	snprintf(text, sizeof(text), "user = \"root\";\nhandler = \"module\";"
	    "\nmodule = { path = \"%s/examples/upper.so\"; prefix = \"> \"; };"
	    "\n", dir != NULL ? dir : ".");
	return load(text);
}

/*
 * The module handler keeps what it loaded for which configuration: a
 * reload's new one serves with its own copy once the old one is
 * unloaded.
 */
START_TEST(module_serves_what_was_loaded_for_it)
{
	struct conf *old = load_upper(), *new = load_upper();

	ck_assert_ptr_nonnull(old);
	ck_assert_ptr_nonnull(new);
	ck_assert_int_eq(module_conf_load(old, &errs), 0);
	ck_assert_int_eq(module_conf_load(new, &errs), 0);
	module_conf_unload(old);
	conf_free(old);
	ck_assert_int_eq(write(peer, "hello\n", 6), 6);
	shutdown(peer, SHUT_WR);
	ck_assert_int_eq(serve(&new->svc[0]), 0);
	ck_assert_str_eq(drain(), "> HELLO\n");
	module_conf_unload(new);
	conf_free(new);
}
END_TEST

/* Unloaded with its configuration, a module no longer serves. */
START_TEST(module_unloaded_does_not_serve)
{
	struct conf *c = load_upper();

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(module_conf_load(c, &errs), 0);
	module_conf_unload(c);
	ck_assert_int_eq(serve(&c->svc[0]), EX_SOFTWARE);
	conf_free(c);
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

	tcase_add_checked_fixture(table, NULL, unlink_conf);
	tcase_add_test(table, table_lookup);
	tcase_add_test(table, load_resolves_each_service);
	tcase_add_test(table, load_names_the_table);
	tcase_add_test(table, resolve_refuses_an_unknown_name);
	suite_add_tcase(s, table);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_checked_fixture(tc, NULL, unlink_conf);
	tcase_add_test(tc, module_serves_what_was_loaded_for_it);
	tcase_add_test(tc, module_unloaded_does_not_serve);
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
