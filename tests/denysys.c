/*
 * denysys: run a program with one system call failing.
 *
 *   denysys CALL PROGRAM [ARGS...]
 *
 * CALL is close_range (fails with ENOSYS, as on kernels before 5.9) or
 * setresuid, setresgid, setgroups, unshare, landlock_restrict_self,
 * prctl (fail with EPERM, as under a container or a security module that
 * forbids them).  A seccomp filter makes it so
 * for PROGRAM and everything it starts.  The tests run replyd under it
 * to see that a child still closes what it must without close_range,
 * and that a child whose privilege drop or confinement fails never
 * serves.  Before the
 * exec the helper checks that the filter bites, so a test that passes
 * under it did run without the call.
 * Exit 64 on a bad CALL, 71 if the filter cannot be installed, 127 if
 * PROGRAM cannot run.
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
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446	/* the same everywhere too */
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
#error "denysys: add this architecture's AUDIT_ARCH_ value"
#endif

/* The numbers of one call: i386 has 16- and 32-bit id calls. */
struct call {
	const char *name;
	long nr, nr32;
	int err;
};

#ifdef __NR_setresuid32
#define NR32(x) __NR_##x##32
#else
#define NR32(x) -1
#endif

static const struct call calls[] = {
	{ "close_range", __NR_close_range, -1, ENOSYS },
	{ "setresuid", __NR_setresuid, NR32(setresuid), EPERM },
	{ "setresgid", __NR_setresgid, NR32(setresgid), EPERM },
	{ "setgroups", __NR_setgroups, NR32(setgroups), EPERM },
	{ "unshare", __NR_unshare, -1, EPERM },
	{ "landlock_restrict_self", __NR_landlock_restrict_self, -1, EPERM },
	{ "prctl", __NR_prctl, -1, EPERM },
};

static int
install(const struct call *c)
{
	struct sock_filter insn[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)c->nr, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (__u32)c->nr32, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (__u32)c->err),
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

/*
 * Whether the call now fails, asked harmlessly: an fd number nobody
 * has, ids of -1 (keep each as it is), an empty list of groups only
 * when it would fail anyway.
 */
static int
bites(const struct call *c)
{
	long rc;

	if (c->nr == __NR_close_range)
		rc = syscall(c->nr, 100000U, 100000U, 0);
	else if (c->nr == __NR_setgroups)
		rc = syscall(c->nr, 0, NULL);
	else
		rc = syscall(c->nr, -1, -1, -1);
	return rc == -1 && errno == c->err;
}

int
main(int argc, char **argv)
{
	const struct call *c = NULL;
	size_t i;

	for (i = 0; argc >= 3 && i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(argv[1], calls[i].name) == 0)
			c = &calls[i];
	if (c == NULL) {
		fprintf(stderr, "usage: denysys close_range|setresuid|"
		    "setresgid|setgroups|unshare|landlock_restrict_self|prctl "
		    "PROGRAM [ARGS...]\n");
		return 64;
	}
	if (install(c) < 0) {
		fprintf(stderr, "denysys: seccomp: %s\n", strerror(errno));
		return 71;
	}
	if (!bites(c)) {
		fprintf(stderr, "denysys: the filter does not hold\n");
		return 71;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "denysys: %s: %s\n", argv[2], strerror(errno));
	return 127;
}
