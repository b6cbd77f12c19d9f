/*
 * noclose_range: run a program on a kernel without close_range(2).
 *
 *   noclose_range PROGRAM [ARGS...]
 *
 * Installs a seccomp filter that makes close_range fail with ENOSYS, as
 * it does on kernels before 5.9, and execs PROGRAM with it; the filter
 * holds for PROGRAM and everything it starts.  The tests run replyd
 * under it to see that a child still closes what it must without
 * close_range.  Before the exec the helper checks that the filter bites,
 * so a test that passes under it did run without close_range.
 * Exit 71 if the filter cannot be installed, 127 if PROGRAM cannot run.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_close_range
#define __NR_close_range 436	/* the same number on every architecture */
#endif

/* x32 shares x86-64's audit arch; its __NR_ values carry the x32 bit. */
#if defined(__x86_64__)
#define ARCH	AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define ARCH	AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define ARCH	AUDIT_ARCH_AARCH64
#elif defined(__arm__)
#define ARCH	AUDIT_ARCH_ARM
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCH	AUDIT_ARCH_RISCV64
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define ARCH	AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define ARCH	AUDIT_ARCH_S390X
#else
// cppcheck-suppress preprocessorErrorDirective ; cppcheck defines no architecture macro
#error "noclose_range: add this architecture's AUDIT_ARCH_ value"
#endif

static int
install(void)
{
	struct sock_filter insn[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close_range, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(insn) / sizeof(insn[0]),
		.filter = insn,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: noclose_range PROGRAM [ARGS...]\n");
		return 64;
	}
	if (install() < 0) {
		fprintf(stderr, "noclose_range: seccomp: %s\n", strerror(errno));
		return 71;
	}
	/* An fd number nobody has: a working close_range would succeed. */
	if (syscall(__NR_close_range, 100000U, 100000U, 0) != -1 ||
	    errno != ENOSYS) {
		fprintf(stderr, "noclose_range: the filter does not hold\n");
		return 71;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "noclose_range: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
