/*
 * barehandler: tinyhandler without a C library, for TINY=bare.
 *
 * A static glibc program spends its start on work no server can change:
 * IRELATIVE relocations, tunables, a malloc, CPU feature probes (cpuid,
 * which traps to the hypervisor on these machines).  That is some 25
 * page faults, most of the time an exec-style connection takes here, and
 * the same for every server, so it squeezes their ratios towards 1.
 * This handler makes the same read and write with three system calls
 * and nothing else, which leaves the server's own cost and the kernel's
 * exec.  x86-64 Linux only; bench/run falls back to tinyhandler.c
 * elsewhere.  Built with -static -nostdlib.
 */
#if !defined(__x86_64__) || !defined(__LP64__) || !defined(__linux__)
#error "barehandler needs x86-64 Linux (LP64: x32 numbers its calls apart)"
#endif

#define NR_read		0
#define NR_write	1
#define NR_exit_group	231

static long
call3(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile ("syscall"
	    : "=a" (r)
	    : "a" (nr), "D" (a), "S" (b), "d" (c)
	    : "rcx", "r11", "memory");
	return r;
}

/* The kernel enters at _start with the stack aligned; keep the ABI's. */
__attribute__((noreturn, used)) static void
bare_main(void)
{
	static const char reply[] = "thank you !\n";
	char buf[1024];
	long rc = 1;

	if (call3(NR_read, 0, (long)buf, sizeof(buf)) >= 0 &&
	    call3(NR_write, 1, (long)reply, sizeof(reply) - 1) ==
	    sizeof(reply) - 1)
		rc = 0;
	for (;;)
		call3(NR_exit_group, rc, 0, 0);
}

__asm__(
	".pushsection .text\n"
	".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	and $-16, %rsp\n"
	"	call bare_main\n"
	".popsection\n"
);
