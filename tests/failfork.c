/*
 * failfork.so: a test shim, preloaded into replyd, whose fork() fails
 * with EAGAIN (as when RLIMIT_NPROC is reached) while the file named by
 * FAILFORK_FILE exists.  So a test can make process creation fail and
 * work again at will, as root or not.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

pid_t	fork(void);

pid_t
fork(void)
{
	static pid_t (*real)(void);
	const char *flag = getenv("FAILFORK_FILE");

	if (flag != NULL && access(flag, F_OK) == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (real == NULL)
		real = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
	return real();
}
