/*
 * Whole pages from mmap, marked MADV_DONTFORK.  Growth copies to a new
 * mapping: these arrays grow a few times in the master's life at most.
 * And the master's own stack, kept out of children the same way.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
