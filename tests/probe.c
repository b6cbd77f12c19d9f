/*
 * probe: a small program for exec handler tests that run it inside
 * exec.chroot (with the libraries ldd names copied in).  It reports
 * what it sees.
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
