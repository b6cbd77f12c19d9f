/*
 * Whole pages from mmap, marked MADV_DONTFORK.  Growth copies to a new
 * mapping: these arrays grow a few times in the master's life at most.
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>

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
