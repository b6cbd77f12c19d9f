/*
 * Memory for the master's own bookkeeping (the child table, the poll
 * set): kept out of its children.  After each fork every page the master
 * writes to costs it a copy-on-write fault while a child still shares
 * it; pages marked MADV_DONTFORK are not shared, so the master writes
 * them for free, and a child has fewer pages to map.
 */
#ifndef REPLYD_HOT_H
#define REPLYD_HOT_H

#include <stddef.h>

void	*hot_realloc(void *p, size_t oldsize, size_t newsize);
void	 hot_free(void *p, size_t size);
int	 hot_stack(int keep_out);

#endif
