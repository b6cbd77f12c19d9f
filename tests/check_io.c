/*
 * io.c: writes to a client that stops reading end after the timeout,
 * on sockets and on pipes, and leave a pipe's flags as they were.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/io.h"
#include "check_run.h"

#define BIG	(4 * 1024 * 1024)

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Writes BIG bytes to fd, which nobody reads: -1 ETIMEDOUT after 1 s. */
static void
assert_bounded(int fd)
{
	static char buf[BIG];
	double start = now(), took;

	ck_assert_int_eq(io_write_all(fd, buf, sizeof(buf), 1), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	took = now() - start;
	ck_assert_msg(took >= 0.9 && took < 3, "took %.2f s", took);
}

START_TEST(socket_write_is_bounded)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_bounded(sv[0]);
	/* Nothing changed on the socket itself. */
	ck_assert_int_eq(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
}
END_TEST

START_TEST(pipe_write_is_bounded)
{
	int p[2], before;

	ck_assert_int_eq(pipe(p), 0);
	before = fcntl(p[1], F_GETFL);
	assert_bounded(p[1]);
	ck_assert_int_eq(fcntl(p[1], F_GETFL), before);
}
END_TEST

START_TEST(socket_peer_gone_is_epipe)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	/* MSG_NOSIGNAL: an error to handle, not a SIGPIPE that kills. */
	ck_assert_int_eq(io_write_all(sv[0], "x", 1, 1), -1);
	ck_assert_int_eq(errno, EPIPE);
}
END_TEST

START_TEST(progress_resets_the_clock)
{
	static char buf[BIG], sink[65536];
	int sv[2];
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if ((pid = fork()) == 0) {
		/* A slow reader: 64 KiB every 300 ms, about 3 s in all. */
		close(sv[0]);
		for (;;) {
			usleep(300000);
			if (read(sv[1], sink, sizeof(sink)) <= 0)
				_exit(0);
		}
	}
	close(sv[1]);
	/* 1 s without progress would fail; 3 s in all must not. */
	ck_assert_int_eq(io_write_all(sv[0], buf, 12 * 65536, 1), 0);
	close(sv[0]);
}
END_TEST

START_TEST(read_times_out)
{
	int sv[2];
	char c;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(io_read(sv[0], &c, 1, 1), -1);
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_int_eq(write(sv[1], "y", 1), 1);
	ck_assert_int_eq(io_read(sv[0], &c, 1, 1), 1);
	ck_assert_int_eq(c, 'y');
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("io");
	TCase *tc = tcase_create("io");

	tcase_add_test(tc, socket_write_is_bounded);
	tcase_add_test(tc, pipe_write_is_bounded);
	tcase_add_test(tc, socket_peer_gone_is_epipe);
	tcase_add_test(tc, progress_resets_the_clock);
	tcase_add_test(tc, read_times_out);
	suite_add_tcase(s, tc);
	return check_run(s);
}
