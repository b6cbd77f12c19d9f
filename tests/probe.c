/*
 * probe: a static program for exec handler tests that must run where no
 * shared library is, as inside exec.chroot.  It reports what it sees.
 */
#include <stdio.h>
#include <unistd.h>

int
main(void)
{
	char cwd[256];

	printf("uid=%ld cwd=%s passwd=%s\n", (long)getuid(),
	    getcwd(cwd, sizeof(cwd)) ? cwd : "?",
	    access("/etc/passwd", F_OK) == 0 ? "yes" : "no");
	return 0;
}
