/*
 * sandbox.syscalls: a seccomp filter per service, built with libseccomp
 * once in the process that serves and kept as BPF (struct sock_fprog),
 * so that a child installs it with one prctl() after dropping its
 * privileges, even the exec start's child that may only make system
 * calls (spawn.c).  The invariant: a child of a service whose profile is
 * not "none" runs no handler code without its filter; when the filter
 * cannot be had, the child ends instead.
 *
 * A refused call traps (SECCOMP_RET_TRAP) in every profile, rather than
 * failing with EPERM: a handler that goes on after a call it did not
 * expect to fail does what nobody tested, and an EPERM leaves no trace.
 * In a forked child our SIGSYS handler logs the call by name (from a
 * table resolved before forking: no allocation in the handler) and the
 * child ends by SIGSYS; an exec'd program, whose handlers execve reset,
 * is ended by the kernel's SIGSYS, which the master logs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__clang__) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLYD_LSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(REPLYD_LSAN)
#include <sanitizer/lsan_interface.h>
#endif

#include "child/sandbox.h"
#include "conf/conf.h"
#include "handlers/handler.h"
#include "lib/cov.h"
#include "lib/log.h"

/*
 * "handler": what the built-in handlers, the PROXY reader and logging
 * need on descriptors they already hold (the connection, the log):
 * reading, writing, waiting, the clock, memory, exit.  No open, no
 * socket, no fork, no exec.
 */
static const char *const handler_calls[] = {
	"read", "readv", "recv", "recvfrom", "recvmsg", "recvmmsg",
	"write", "writev", "send", "sendto", "sendmsg", "sendmmsg",
	"poll", "ppoll", "ppoll_time64", "select", "_newselect",
	"pselect6", "pselect6_time64", "close", "shutdown",
	"getsockopt", "setsockopt", "getsockname", "getpeername",
	"fcntl", "fcntl64", "fstat", "fstat64", "lseek", "_llseek",
	"brk", "munmap", "mremap", "madvise",
	"clock_gettime", "clock_gettime64", "clock_getres",
	"clock_getres_time64", "gettimeofday", "time", "nanosleep",
	"clock_nanosleep", "clock_nanosleep_time64",
	"exit", "exit_group", "getpid", "gettid", "getppid",
	"rt_sigreturn", "sigreturn", "rt_sigprocmask", "rt_sigaction",
	"sigaltstack", "restart_syscall", "futex", "futex_time64",
	"sched_yield", "getrandom", "getuid", "geteuid", "getgid",
	"getegid", "getuid32", "geteuid32", "getgid32", "getegid32",
	NULL
};

/*
 * "module" adds what a C handler of reasonable habits needs: reading
 * files (opened read-only, see read_only), looking at the file system,
 * pipes and descriptors of its own, event loops, limits and names.
 * Still no new socket, no fork, no exec, no ptrace, no mount.
 */
static const char *const module_calls[] = {
	"pread64", "preadv", "preadv2", "stat", "lstat", "stat64", "lstat64",
	"newfstatat", "fstatat64", "statx", "access", "faccessat",
	"faccessat2", "readlink", "readlinkat", "getdents", "getdents64",
	"getcwd", "uname", "sysinfo", "getrlimit", "ugetrlimit",
	"getrusage", "times", "dup", "dup2", "dup3", "pipe", "pipe2",
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "eventfd2", "sched_getaffinity",
	"getresuid", "getresgid", "getresuid32", "getresgid32",
	"getgroups", "getgroups32", "mlock", "munlock",
	NULL
};

/*
 * "service", a deny-list in the spirit of systemd's @system-service:
 * everything but mounting, kexec, bpf, ptrace and reading other
 * processes, keyrings, userfaultfd, kernel modules, swap, reboot,
 * setting clocks, raw I/O ports and the kernel's own log.
 */
static const char *const service_denied[] = {
	"mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig",
	"fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
	"kexec_load", "kexec_file_load", "bpf", "ptrace",
	"process_vm_readv", "process_vm_writev", "keyctl", "add_key",
	"request_key", "userfaultfd", "init_module", "finit_module",
	"delete_module", "create_module", "swapon", "swapoff", "reboot",
	"clock_settime", "clock_settime64", "clock_adjtime",
	"clock_adjtime64", "settimeofday", "adjtimex", "stime", "acct",
	"quotactl", "perf_event_open", "iopl", "ioperm",
	"open_by_handle_at", "lookup_dcookie", "syslog", "vhangup",
	"uselib", "nfsservctl", "_sysctl",
	NULL
};

/*
 * An exec service's child under "handler" or "module": what exec_run()
 * does before execve, and what the dynamic loader of the program needs
 * after it (its libraries are mapped executable).  execve itself is
 * another rule (exec_rule).
 */
static const char *const exec_calls[] = {
	"close_range", "mmap", "mmap2", "mprotect", "arch_prctl",
	"set_tid_address", "set_robust_list", "rseq", "set_thread_area",
	NULL
};

/*
 * exec.no_new_privs = false: the filter goes on before the user is
 * dropped (only privilege lets it on then), so the drop is allowed.
 */
static const char *const drop_calls[] = {
	"getresuid", "getresuid32", "setresuid", "setresuid32", NULL
};

/* System call names by number, for the SIGSYS handler. */
#define SB_NAMES	512
static char *names[SB_NAMES];
static char trap_service[65];	/* a copy: -i frees its configuration */

struct prepared {
	const struct service	*svc;
	struct sock_fprog	 prog;
};
static struct prepared *prepared;
static size_t nprepared;

/* One rule; a name this architecture lacks is no error. */
static int
rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
    const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;
	return seccomp_rule_add_array(ctx, action, nr, n, cmp) < 0 ? -1 : 0;
}

static int
listed(const char *const *v, const char *name)
{
	for (; v != NULL && *v != NULL; v++)
		if (strcmp(*v, name) == 0)
			return 1;
	return 0;
}

/*
 * LeakSanitizer stops the world with ptrace (at exit, or before a
 * filter goes on: sandbox_leak_check), so in a build with it the programs
 * an exec service runs (replyd -i itself, in the tests) keep ptrace.
 */
static const char *const sanitizer_calls[] = {
#if defined(__SANITIZE_ADDRESS__) || defined(REPLYD_LSAN)
	"ptrace",
#endif
	NULL
};

/* A rule for each name of v but those of except (and sanitizer_calls). */
static int
rules_but(scmp_filter_ctx ctx, uint32_t action, const char *const *v,
    char *const *except)
{
	for (; v != NULL && *v != NULL; v++)
		if (!listed((const char *const *)except, *v) &&
		    !(action != SCMP_ACT_ALLOW && listed(sanitizer_calls, *v)) &&
		    rule(ctx, action, *v, 0, NULL) < 0)
			return -1;
	return 0;
}

static int
rules(scmp_filter_ctx ctx, uint32_t action, const char *const *v)
{
	return rules_but(ctx, action, v, NULL);
}

/*
 * The syslog socket's rule is exact where libseccomp lets it be: it
 * would also let socketcall(2) through (i386's C library's way to
 * socket()), testing its argument pointer as if it were the arguments,
 * which a crafted pointer passes; log.c makes the direct call, and
 * on i386, where libseccomp refuses the exact rule, the translated one
 * stands and socketcall_prefix() refuses socketcall's socket() first.
 * A filter for several architectures (exec_arches) cannot take an exact
 * rule either, so an exec service's child gets none: its one line
 * before execve (a failure) reaches syslog only over a socket already
 * open.
 */
static int
log_socket_rule(scmp_filter_ctx ctx, const struct service *svc)
{
	struct scmp_arg_cmp cmp[] = {
		SCMP_A0(SCMP_CMP_EQ, AF_UNIX),
		SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM)
	};

	if (svc->handler->flags & HANDLER_EXECS)
		return 0;
#ifdef __i386__
	return rule(ctx, SCMP_ACT_ALLOW, "socket", 2, cmp);
#else
	return seccomp_rule_add_exact_array(ctx, SCMP_ACT_ALLOW,
	    seccomp_syscall_resolve_name("socket"), 2, cmp) < 0 ? -1 : 0;
#endif
}

/*
 * Memory is never mapped executable (code comes only from what was
 * loaded before the fork), and fstatat() family calls only on a
 * descriptor, as glibc's fstat() makes them.  The one socket a child
 * may make is a local datagram one, for its log lines to syslog
 * (log.c); connect() is for that, since no other socket can be
 * made to connect out with.
 */
static int
handler_rules(scmp_filter_ctx ctx, const struct service *svc)
{
	struct scmp_arg_cmp noexec2 = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	struct scmp_arg_cmp empty3 = SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH,
	    AT_EMPTY_PATH);
	struct scmp_arg_cmp empty2 = SCMP_A2(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH,
	    AT_EMPTY_PATH);

	if (rules(ctx, SCMP_ACT_ALLOW, handler_calls) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "mmap", 1, &noexec2) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "mmap2", 1, &noexec2) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "mprotect", 1, &noexec2) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "newfstatat", 1, &empty3) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "fstatat64", 1, &empty3) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "statx", 1, &empty2) < 0 ||
	    log_socket_rule(ctx, svc) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "connect", 0, NULL) < 0)
		return -1;
#ifdef REPLYD_COVERAGE
	/* gcov writes its counters at the child's exit (child_exit). */
	struct scmp_arg_cmp gcda1 = SCMP_A1(SCMP_CMP_MASKED_EQ,
	    O_ACCMODE | O_CREAT, O_RDWR | O_CREAT);
	struct scmp_arg_cmp gcda2 = SCMP_A2(SCMP_CMP_MASKED_EQ,
	    O_ACCMODE | O_CREAT, O_RDWR | O_CREAT);
	static const char *const gcov_calls[] = {
		"mkdir", "mkdirat", "ftruncate", "ftruncate64", NULL
	};

	if (rule(ctx, SCMP_ACT_ALLOW, "open", 1, &gcda1) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "openat", 1, &gcda2) < 0 ||
	    rules(ctx, SCMP_ACT_ALLOW, gcov_calls) < 0)
		return -1;
#endif
	return 0;
}

/* Files only for reading, the odd terminal or pending-bytes ioctl. */
static int
module_rules(scmp_filter_ctx ctx)
{
	const int w = O_ACCMODE | O_CREAT | O_TRUNC;
	struct scmp_arg_cmp ro1 = SCMP_A1(SCMP_CMP_MASKED_EQ, w, O_RDONLY);
	struct scmp_arg_cmp ro2 = SCMP_A2(SCMP_CMP_MASKED_EQ, w, O_RDONLY);
	struct scmp_arg_cmp getonly = SCMP_A2(SCMP_CMP_EQ, 0);
	struct scmp_arg_cmp tcgets = SCMP_A1(SCMP_CMP_EQ, TCGETS);
	struct scmp_arg_cmp fionread = SCMP_A1(SCMP_CMP_EQ, FIONREAD);

	return rules(ctx, SCMP_ACT_ALLOW, module_calls) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "open", 1, &ro1) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "openat", 1, &ro2) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "prlimit64", 1, &getonly) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &tcgets) < 0 ||
	    rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &fionread) < 0 ? -1 : 0;
}

/*
 * execve only as replyd makes it: with the address of exec.program's
 * path in replyd's memory, which a child inherits at the same address
 * (fork, or the exec start's shared memory).  The program it becomes
 * has memory of its own; to exec anything it would have to place a
 * path at that address, which it cannot read anywhere (the master's
 * memory and filter are not its to read) and must guess, losing the
 * child with every wrong guess.  A hurdle sized by the address space's
 * randomisation, weaker on 32-bit systems, not a wall.
 */
static int
exec_rule(scmp_filter_ctx ctx, const struct service *svc)
{
	struct scmp_arg_cmp path = SCMP_A0(SCMP_CMP_EQ,
	    (scmp_datum_t)(uintptr_t)svc->exec.program);

	return rule(ctx, SCMP_ACT_ALLOW, "execve", 1, &path);
}

/*
 * An exec'd program may be of another architecture the kernel runs
 * (a 64-bit program from a 32-bit replyd, or the reverse): the same
 * rules for each.  Other children never change architecture, and any
 * other architecture's call ends them (SCMP_FLTATR_ACT_BADARCH).
 */
static int
exec_arches(scmp_filter_ctx ctx)
{
	static const uint32_t x86[] = {
		SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_X32, 0
	};
	static const uint32_t arm[] = { SCMP_ARCH_ARM, SCMP_ARCH_AARCH64, 0 };
	uint32_t native = seccomp_arch_native();
	const uint32_t *a = native == SCMP_ARCH_AARCH64 ? arm :
	    native == SCMP_ARCH_X86 || native == SCMP_ARCH_X86_64 ? x86 : NULL;
	int rc;

	for (; a != NULL && *a != 0; a++)
		if (*a != native && (rc = seccomp_arch_add(ctx, *a)) < 0 &&
		    rc != -EEXIST)
			return -1;
	return 0;
}

static scmp_filter_ctx
build(const struct service *svc)
{
	const struct sandbox_spec *sb = &svc->sandbox;
	int deny = sb->syscalls == SB_SERVICE, bad;
	scmp_filter_ctx ctx;

	if ((ctx = seccomp_init(deny ? SCMP_ACT_ALLOW : SCMP_ACT_TRAP)) ==
	    NULL)
		return NULL;
	/* Another architecture's calls (i386's on x86-64) end it at once. */
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	/*
	 * A binary tree of system call numbers rather than a chain: the
	 * kernel, which compiles and walks the filter once for every
	 * child, does a third less work (~105 -> ~75 us a child on the
	 * machine of BENCHMARKS.md's "The sandbox's cost").
	 */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if ((svc->handler->flags & HANDLER_EXECS) && exec_arches(ctx) < 0) {
		seccomp_release(ctx);
		return NULL;
	}
	/* sandbox.allow: no longer denied, or allowed too. */
	if (deny)
		bad = rules_but(ctx, SCMP_ACT_TRAP, service_denied, sb->allow) < 0;
	else
		bad = handler_rules(ctx, svc) < 0 ||
		    (sb->syscalls == SB_MODULE && module_rules(ctx) < 0) ||
		    ((svc->handler->flags & HANDLER_EXECS) &&
		    (rules(ctx, SCMP_ACT_ALLOW, exec_calls) < 0 ||
		    exec_rule(ctx, svc) < 0)) ||
		    (!svc->exec.no_new_privs &&
		    rules(ctx, SCMP_ACT_ALLOW, drop_calls) < 0) ||
		    rules(ctx, SCMP_ACT_ALLOW,
		    (const char *const *)sb->allow) < 0;
	if (bad) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

#ifdef __i386__
#include <linux/audit.h>
#include <linux/net.h>
#include <stddef.h>

/*
 * Ahead of libseccomp's program: socketcall(SYS_SOCKET, ...) traps
 * (see log_socket_rule), unless sandbox.allow names socket.
 */
static const struct sock_filter socketcall_prefix[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 5),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socketcall, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data,
	    args[0])),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_SOCKET, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
};
#define PREFIX_LEN(svc)	((svc)->sandbox.syscalls != SB_SERVICE && \
	!listed((const char *const *)(svc)->sandbox.allow, "socket") ? \
	sizeof(socketcall_prefix) / sizeof(socketcall_prefix[0]) : 0)
#define PREFIX		socketcall_prefix
#else
#define PREFIX_LEN(svc)	0
#define PREFIX		NULL
#endif

/*
 * The filter as BPF, read back through a memfd (libseccomp exports to a
 * file), after the prefix of n instructions.
 */
static int
export(scmp_filter_ctx ctx, const struct sock_filter *prefix, size_t n,
    struct sock_fprog *prog)
{
	struct sock_filter *insns;
	off_t len;
	int fd;

	if ((fd = memfd_create("replyd-sandbox", MFD_CLOEXEC)) < 0)
		return -1;
	if (seccomp_export_bpf(ctx, fd) < 0 ||
	    (len = lseek(fd, 0, SEEK_END)) <= 0 ||
	    (size_t)len % sizeof(*insns) != 0 ||
	    (insns = malloc(len + n * sizeof(*insns))) == NULL) {
		close(fd);
		return -1;
	}
	if (pread(fd, insns + n, len, 0) != len) {
		free(insns);
		close(fd);
		return -1;
	}
	close(fd);
	if (n > 0)
		memcpy(insns, prefix, n * sizeof(*insns));
	prog->filter = insns;
	prog->len = n + len / sizeof(*insns);
	return 0;
}

/*
 * Once per process: names for the SIGSYS handler, and the time zone
 * read now, so that no child opens /etc/localtime for its first time
 * stamp (syslog lines, the daytime handler) under a filter without open.
 */
static void
prepare_once(void)
{
	static int done;
	int nr;

	if (done)
		return;
	done = 1;
	tzset();
	for (nr = 0; nr < SB_NAMES; nr++)
		names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
		    nr);
}

static struct prepared *
find(const struct service *svc)
{
	size_t i;

	for (i = 0; i < nprepared; i++)
		if (prepared[i].svc == svc)
			return &prepared[i];
	return NULL;
}

int
sandbox_prepare(const struct service *svc)
{
	struct prepared *grown;
	scmp_filter_ctx ctx;
	struct sock_fprog prog;
	int rc;

	if (svc->sandbox.syscalls == SB_NONE || find(svc) != NULL)
		return 0;
	prepare_once();
	if ((ctx = build(svc)) == NULL) {
		log_msg(LOG_ERR, "%s: cannot build the sandbox's system call "
		    "filter (libseccomp)", svc->name);
		return -1;
	}
	rc = export(ctx, PREFIX, PREFIX_LEN(svc), &prog);
	seccomp_release(ctx);
	if (rc < 0 || (grown = realloc(prepared, (nprepared + 1) *
	    sizeof(*grown))) == NULL) {
		if (rc == 0)
			free(prog.filter);
		log_msg(LOG_ERR, "%s: cannot prepare the sandbox: %s",
		    svc->name, strerror(errno));
		return -1;
	}
	prepared = grown;
	prepared[nprepared].svc = svc;
	prepared[nprepared++].prog = prog;
	return 0;
}

void
sandbox_release(const struct service *svc)
{
	struct prepared *p = find(svc);

	if (p == NULL)
		return;
	free(p->prog.filter);
	*p = prepared[--nprepared];
}

int
sandbox_prepare_all(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++)
		if (!c->svc[i].disable && sandbox_prepare(&c->svc[i]) < 0)
			return -1;
	return 0;
}

void
sandbox_release_all(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++)
		sandbox_release(&c->svc[i]);
}

#ifdef __i386__
/* i386's glibc reaches the socket calls through socketcall(2). */
static const char *const socketcalls[] = {
	NULL, "socket", "bind", "connect", "listen", "accept", "getsockname",
	"getpeername", "socketpair", "send", "recv", "sendto", "recvfrom",
	"shutdown", "setsockopt", "getsockopt", "sendmsg", "recvmsg",
	"accept4", "recvmmsg", "sendmmsg"
};
#endif

static const char *
trapped_name(const siginfo_t *si, const void *uc)
{
	int nr = si->si_syscall;

#ifdef __i386__
	unsigned long call = ((const ucontext_t *)uc)->uc_mcontext.gregs[REG_EBX];

	if (nr == SYS_socketcall && call > 0 &&
	    call < sizeof(socketcalls) / sizeof(socketcalls[0]))
		return socketcalls[call];
#else
	(void)uc;
#endif
	return nr >= 0 && nr < SB_NAMES && names[nr] != NULL ? names[nr] :
	    "(unknown)";
}

/*
 * A refused call, in a forked child: one line naming it, then the end
 * by SIGSYS, whose action SA_RESETHAND has made the default again.  The
 * kill comes from tgkill, or, where the filter refuses that too, from
 * the kernel's trap, which forces the default on a blocked SIGSYS.
 */
static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	const char *line[] = { trap_service, ": sandbox refused system call ",
	    trapped_name(si, uc), NULL };
	sigset_t set;

	log_raw(LOG_ERR, line);
	/*
	 * A coverage build's counters, as child_exit() writes them: the
	 * filter lets gcov write (gcov_calls).  Not async-signal-safe, so
	 * only in that build: the traps the tests provoke come from a
	 * handler's own call, never from inside malloc or stdio.
	 */
	cov_dump();
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
	_exit(128 + sig);
}

/*
 * LeakSanitizer checks at exit() (replyd -i's end) by stopping the world
 * with prctl, clone and ptrace, which no filter here allows: in builds
 * with it, the check runs now, before the filter, and not again at exit.
 * Forked children end in _exit(), where it never runs.  It reads
 * /proc/self/maps, so it also comes before a Landlock ruleset
 * (child.c); once run, a second call does nothing.
 */
void
sandbox_leak_check(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(REPLYD_LSAN)
	__lsan_do_leak_check();
#endif
}

int
sandbox_enter(const struct service *svc, int report)
{
	struct sigaction sa;
	const struct prepared *p;

	if (svc->sandbox.syscalls == SB_NONE)
		return 0;
	if ((p = find(svc)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (report) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigsys;
		sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
		snprintf(trap_service, sizeof(trap_service), "%s", svc->name);
		sandbox_leak_check();
		if (sigaction(SIGSYS, &sa, NULL) < 0)
			return -1;
	}
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p->prog);
}
