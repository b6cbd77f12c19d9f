/*
 * Memory that only the process that allocates it uses: its pages are
 * marked MADV_DONTFORK, so a forked child gets none of them.  For the
 * master's own bookkeeping (the child table, the poll set), which it
 * writes for every connection: a page of it shared with a live child
 * would cost a copy-on-write fault at each write (FACTS.md,
 * "Measuring").  A child must never read such memory, and it is lost
 * to a fork(), so it is made only in the process that serves (after
 * daemon_detach, and again by an upgraded image).
 */
#ifndef REPLYD_LIB_OWNMEM_H
#define REPLYD_LIB_OWNMEM_H

#include <stddef.h>

/*
 * As reallocarray(p, n, size), for p NULL or from ownmem_resize() for
 * had elements of size: NULL (errno set, p untouched) when out of
 * memory.  ownmem_free() takes the n it was last given.
 */
void	*ownmem_resize(void *p, size_t had, size_t n, size_t size);
void	 ownmem_free(void *p, size_t n, size_t size);

#endif
