/*
 * Whole pages from mmap, marked MADV_DONTFORK.  Growth copies to a new
 * mapping: these arrays grow a few times in the master's life at most.
 * And the master's own stack, kept out of children the same way.
 */
#include "config.h"

#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#endif

#include "hot.h"

void *
hot_realloc(void *p, size_t oldsize, size_t newsize)
{
	void *q;

	q = mmap(NULL, newsize, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		return NULL;
	madvise(q, newsize, MADV_DONTFORK);
	if (p != NULL) {
		memcpy(q, p, oldsize < newsize ? oldsize : newsize);
		munmap(p, oldsize);
	}
	return q;
}

void
hot_free(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, size);
}

/*
 * The environment lies at the top of the stack, and libc reads it in
 * children too (getenv, tzset for syslog's time stamps): move it to the
 * heap before the stack goes.  Once; the copy is never freed.
 */
static int
env_off_stack(void)
{
	static int done;
	size_t n, i;
	char **v;

	if (done)
		return 0;
	for (n = 0; environ[n] != NULL; n++)
		;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((v[i] = strdup(environ[i])) == NULL) {
			while (i > 0)
				free(v[--i]);
			free(v);
			return -1;
		}
	environ = v;
	done = 1;
	return 0;
}

/*
 * valgrind keeps its own account of a process's stack and cannot run a
 * child without it.  Its header, where installed, asks it; else its
 * preloaded library gives it away.
 */
static int
under_valgrind(void)
{
#ifdef HAVE_VALGRIND_VALGRIND_H
	return RUNNING_ON_VALGRIND;
#else
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
#endif
}

/*
 * Keep the master's stack out of its children, or let it in again.  A
 * child that starts on a stack of its own (child_start) never uses the
 * master's, nor the arguments at its top.
 */
int
hot_stack(int keep_out)
{
	unsigned long lo, hi;
	char line[256];
	FILE *f;
	int rc = -1;

	if (keep_out && (under_valgrind() || env_off_stack() < 0))
		return -1;
	if ((f = fopen("/proc/self/maps", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " [stack]") != NULL &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			rc = madvise((void *)lo, hi - lo,
			    keep_out ? MADV_DONTFORK : MADV_DOFORK);
			break;
		}
	fclose(f);
	return rc;
}

/*
 * Copy one read-only segment of the program (code or constants), lo to
 * hi, into anonymous memory at the same address, with the same
 * protection.  fork() copies the page tables of anonymous memory but
 * not those of a mapped file, whose pages each child faults in again:
 * a reply child ran from three such pages.  The copy is never writable
 * and executable at once, and is named in /proc/PID/maps where the
 * kernel can.  A process that may not make memory executable (SELinux,
 * MemoryDenyWriteExecute) keeps the file's pages.
 */
static int
anon_copy(uintptr_t lo, uintptr_t hi, int prot)
{
	size_t len = hi - lo;
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	memcpy(p, (void *)lo, len);
	if (mprotect(p, len, prot) < 0 ||
	    mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)lo) ==
	    MAP_FAILED) {
		munmap(p, len);
		return -1;
	}
#ifdef PR_SET_VMA_ANON_NAME
	(void)prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, lo, len,
	    prot & PROT_EXEC ? "replyd code" : "replyd constants");
#endif
	return 0;
}

/* The pages [*lo, *hi) that segment ph of the program lies in. */
static void
seg_pages(const struct dl_phdr_info *info, const ElfW(Phdr) *ph,
    uintptr_t page, uintptr_t *lo, uintptr_t *hi)
{
	*lo = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
	*hi = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + page - 1) &
	    ~(page - 1);
}

/*
 * Shrink [*lo, *hi) to the pages no other segment of the program has a
 * part of: where two segments share a page, the kernel maps it once,
 * with the protection of one of them, and a copy must not change that.
 */
static void
own_pages(const struct dl_phdr_info *info, size_t self, uintptr_t page,
    uintptr_t *lo, uintptr_t *hi)
{
	const ElfW(Phdr) *ph;
	uintptr_t olo, ohi;
	size_t i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		ph = &info->dlpi_phdr[i];
		if (i == self || ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		seg_pages(info, ph, page, &olo, &ohi);
		if (olo < *hi && ohi > *lo) {
			if (olo > *lo)
				*hi = olo;
			else
				*lo = ohi;
		}
	}
}

static int
copy_segments(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t page = (uintptr_t)getpagesize(), lo, hi;
	const ElfW(Phdr) *ph;
	int *rc = data;
	size_t i;

	(void)size;
	/* The first object is the program itself. */
	for (i = 0; i < info->dlpi_phnum; i++) {
		ph = &info->dlpi_phdr[i];
		/* Not the data, nor the ELF headers unless code is there. */
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) ||
		    (ph->p_offset == 0 && !(ph->p_flags & PF_X)))
			continue;
		seg_pages(info, ph, page, &lo, &hi);
		own_pages(info, i, page, &lo, &hi);
		if (lo < hi && anon_copy(lo, hi,
		    (ph->p_flags & PF_X ? PROT_EXEC : 0) | PROT_READ) < 0)
			*rc = -1;
	}
	return 1;
}

/*
 * Once.  Returns 0 when the code and constants are copied, -1 when
 * they are not: under valgrind, which translates code from the file; in
 * AddressSanitizer builds, which poison the gaps between constants (the
 * copy would read them) and whose reports need the file's mapping; or
 * when the kernel refuses.
 */
int
hot_text(void)
{
	static int done;
	int rc = 0;

	if (done)
		return done > 0 ? 0 : -1;
	if (under_valgrind() || HOT_SANITIZED)
		rc = -1;
	else
		dl_iterate_phdr(copy_segments, &rc);
	done = rc == 0 ? 1 : -1;
	return rc;
}

/*
 * After a (re)load: let go of the master's mappings of shared code.  A
 * process that maps a page of a file maps its neighbours with it, 64
 * KiB at a time, so reading the configuration (libconfig, stdio, the
 * user lookup) leaves most of libc's code mapped in the master for
 * good, though its loop runs a small part of it, which comes back at
 * first use.  The pages stay in the page cache: what shrinks is the
 * master's resident set and page tables.  Only executable mappings of
 * files that hold no page of the process's own (text relocations, a
 * debugger's breakpoints, uprobes would be lost), and never the
 * program's code copied by hot_text (anonymous: dropping it would zero
 * it).
 */
int
hot_drop_code(void)
{
	struct { unsigned long lo, hi; } r[64];
	unsigned long lo, hi, inode, anon;
	char line[512], perms[8];
	size_t n = 0, i;
	int code = 0;
	FILE *f;

	if (under_valgrind())
		return -1;
	if ((f = fopen("/proc/self/smaps", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu", &lo, &hi, perms,
		    &inode) == 4) {
			code = inode != 0 && strcmp(perms, "r-xp") == 0 &&
			    n < sizeof(r) / sizeof(r[0]);
			if (code) {
				r[n].lo = lo;
				r[n].hi = hi;
			}
		} else if (code && sscanf(line, "Anonymous: %lu", &anon) == 1) {
			n += anon == 0;
			code = 0;
		}
	}
	fclose(f);
	/* Last, so that reading the list maps nothing back. */
	for (i = 0; i < n; i++)
		(void)madvise((void *)r[i].lo, r[i].hi - r[i].lo,
		    MADV_DONTNEED);
	return 0;
}
