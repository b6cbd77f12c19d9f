/*
 * Master-only memory (ownmem.h): whole anonymous mappings, marked
 * MADV_DONTFORK, grown with mremap() (which keeps the mark).  The one
 * invariant: every mapping handed out is marked or was refused.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/ownmem.h"

/* n elements of size, rounded up to whole pages; 0 on overflow. */
static size_t
pages_for(size_t n, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (size != 0 && n > (SIZE_MAX - page) / size)
		return 0;
	return (n * size + page - 1) / page * page;
}

void *
ownmem_resize(void *p, size_t had, size_t n, size_t size)
{
	size_t old = p != NULL ? pages_for(had, size) : 0;
	size_t want = pages_for(n, size);
	void *q;

	if (want == 0) {
		errno = ENOMEM;
		return NULL;
	}
	if (p == NULL) {
		q = mmap(NULL, want, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		/* Unmarked, it would be copied into every child: refuse it. */
		if (q != MAP_FAILED && madvise(q, want, MADV_DONTFORK) < 0) {
			munmap(q, want);
			q = MAP_FAILED;
		}
	} else
		q = want > old ? mremap(p, old, want, MREMAP_MAYMOVE) : p;
	return q == MAP_FAILED ? NULL : q;
}

void
ownmem_free(void *p, size_t n, size_t size)
{
	if (p != NULL && pages_for(n, size) != 0)
		munmap(p, pages_for(n, size));
}
