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

/*
 * On every child's path: gathered in one section, which the linker puts
 * among .text.hot, so that a new child runs its code from two pages
 * rather than from pages spread over the whole program.  On a virtual
 * machine each page a new process touches first costs it a fault, in
 * the guest or in the hypervisor.
 */
#define HOT_PATH	__attribute__((hot, section(".text.hot.replyd")))

/*
 * Sanitizer builds (GCC's and clang's ways of saying so), whose runtimes
 * must see the process as libc makes it: children fork() on the shared
 * stack (child.h), system calls go through libc (sys.h), and hot_text()
 * declines.
 */
#ifndef __has_feature
#define __has_feature(x)	0
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || \
    __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define HOT_SANITIZED	1
#else
#define HOT_SANITIZED	0
#endif

void	*hot_realloc(void *p, size_t oldsize, size_t newsize);
void	 hot_free(void *p, size_t size);
int	 hot_stack(int keep_out);
int	 hot_text(void);
int	 hot_drop_code(void);

#endif
