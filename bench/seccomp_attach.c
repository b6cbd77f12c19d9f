/*
 * seccomp_attach: what a seccomp filter costs a child that installs it,
 * measured alone: N times fork, install a filter of LEN instructions (a
 * chain of LEN - 2 jumps on the system call number, then allow), exit,
 * wait.  LEN 0 installs none (the fork alone); ARGFIRST 1 puts an
 * argument load first, which stops the kernel's emulation of the filter
 * for its action cache at the first instruction.
 *
 *   cc -O2 -o seccomp_attach bench/seccomp_attach.c
 *   ./seccomp_attach N LEN ARGFIRST      e.g. 2000 106 0, 2000 106 1, 2000 0 0
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct sock_filter f[512];

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static size_t
build(int len, int argfirst)
{
	size_t o = 0;
	int i;

	if (argfirst)
		f[o++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, args[0]));
	f[o++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
	for (i = 1; i < len - 1; i++)
		f[o++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    1000 + i, len - 2 - i, 0);
	f[o++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	return o;
}

int
main(int argc, char **argv)
{
	struct sock_fprog prog;
	int n, len, i, st;
	double t0;
	pid_t p;

	if (argc != 4 || (n = atoi(argv[1])) < 1 || (len = atoi(argv[2])) < 0 ||
	    len > 500) {
		fprintf(stderr, "usage: seccomp_attach N LEN(0-500) ARGFIRST\n");
		return 64;
	}
	prog.len = len > 0 ? build(len, atoi(argv[3])) : 0;
	prog.filter = f;
	t0 = now();
	for (i = 0; i < n; i++) {
		if ((p = fork()) == 0) {
			if (len > 0 &&
			    (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
			    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0,
			    &prog) < 0))
				_exit(9);
			_exit(0);
		}
		if (p < 0 || waitpid(p, &st, 0) < 0 || st != 0) {
			fprintf(stderr, "seccomp_attach: child failed\n");
			return 1;
		}
	}
	printf("len %u: %.1f us a fork\n", prog.len, (now() - t0) / n * 1e6);
	return 0;
}
