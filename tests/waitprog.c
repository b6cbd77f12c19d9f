/*
 * waitprog: an inetd "wait" program for t-wait.sh.  Its socket is on fd
 * 0 (a UDP socket or a listening TCP one); it serves clients from it
 * until none comes for IDLE ms, then exits.  Each answer names the
 * program's pid and whether the socket came blocking, as inetd gives
 * it.  In DIR it notes each start and end ("start PID", "end PID") and
 * "overlap PID" if another instance was running when it started.
 *
 *   waitprog DIR [IDLE]	serve, then exit
 *   waitprog DIR quick		exit at once, taking nobody from the socket
 *
 * Built without the build's CFLAGS, as sandboxprog is: it stands for
 * any program.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char dir[4096];

static void
note(const char *what)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/starts", dir);
	if ((f = fopen(path, "a")) != NULL) {
		fprintf(f, "%s %ld\n", what, (long)getpid());
		fclose(f);
	}
}

static int
answer(char *out, size_t outsz, const char *in, size_t n)
{
	int blocking = !(fcntl(0, F_GETFL) & O_NONBLOCK);

	return snprintf(out, outsz, "%ld %s: %.*s", (long)getpid(),
	    blocking ? "blocking" : "nonblocking", (int)n, in);
}

static void
serve_udp(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char in[512], out[600];
	ssize_t n;
	int m;

	n = recvfrom(0, in, sizeof(in), 0, (struct sockaddr *)&ss, &len);
	if (n < 0)
		return;
	m = answer(out, sizeof(out), in, (size_t)n);
	sendto(1, out, (size_t)m, 0, (struct sockaddr *)&ss, len);
}

static void
serve_tcp(void)
{
	struct pollfd p = { .events = POLLIN };
	char in[512], out[600];
	ssize_t n = 0;
	int m;

	if ((p.fd = accept(0, NULL, NULL)) < 0)
		return;
	if (poll(&p, 1, 2000) > 0 && (n = read(p.fd, in, sizeof(in))) < 0)
		n = 0;
	m = answer(out, sizeof(out), in, (size_t)n);
	(void)!write(p.fd, out, (size_t)m);
	close(p.fd);
}

int
main(int argc, char **argv)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char running[4200];
	socklen_t len = sizeof(int);
	int type = 0, idle, fd;

	if (argc < 2)
		return 64;
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	snprintf(running, sizeof(running), "%s/running", dir);
	if ((fd = open(running, O_WRONLY | O_CREAT | O_EXCL, 0666)) < 0)
		note("overlap");
	else
		close(fd);
	note("start");
	if (argc > 2 && strcmp(argv[2], "quick") == 0) {
		unlink(running);
		return 0;
	}
	idle = argc > 2 ? atoi(argv[2]) : 1000;
	if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return 65;
	while (poll(&p, 1, idle) > 0)
		type == SOCK_DGRAM ? serve_udp() : serve_tcp();
	unlink(running);
	note("end");
	return 0;
}
