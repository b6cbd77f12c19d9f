/*
 * The end of a process that ends by _exit(), counted in coverage builds.
 * gcov writes its counters at exit() only, so without this a forked
 * child, a daemon's parent or a probe child would count as never run
 * ("make coverage" measures children too).  Other builds: plain _exit().
 */
#ifndef REPLYD_LIB_COV_H
#define REPLYD_LIB_COV_H

#include <unistd.h>

#ifdef REPLYD_COVERAGE
void	__gcov_dump(void);
void	__gcov_reset(void);
#define cov_dump()	__gcov_dump()
#define cov_reset()	__gcov_reset()
#else
#define cov_dump()	((void)0)
#define cov_reset()	((void)0)
#endif

static inline void __attribute__((noreturn))
cov_exit(int status)
{
	cov_dump();
	_exit(status);
}

#endif
