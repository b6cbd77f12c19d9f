/*
 * What t-sandbox.sh has a module (sandboxmod.c) and an exec'd program
 * (sandboxprog.c) try inside replyd's sandbox: each a call a handler
 * should never make.  Whoever survives the try writes one line saying
 * what the kernel answered, which a refused call never lets happen.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The network interfaces this process sees, and which are up. */
static void
sandbox_ifs(char *out, size_t n)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct ifreq r;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(out, n, "ifs:");
	for (i = ifs; i != NULL && i->if_index != 0; i++) {
		memset(&r, 0, sizeof(r));
		snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", i->if_name);
		snprintf(out + strlen(out), n - strlen(out), " %s %s",
		    i->if_name, ioctl(fd, SIOCGIFFLAGS, &r) == 0 &&
		    (r.ifr_flags & IFF_UP) ? "up" : "down");
	}
	snprintf(out + strlen(out), n - strlen(out), "\n");
	if (ifs != NULL)
		if_freenameindex(ifs);
	close(fd);
}

/*
 * "WHAT", "connect:PORT", "tmp:PATH" (write it), "read:PATH",
 * "see:PATH" (whether it is there) or "ifs"; the answer goes to out.
 */
static void
sandbox_try(const char *what, char *out, size_t n)
{
	const char *arg = strchr(what, ':') ? strchr(what, ':') + 1 : "";
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int rc = 0, fd;
	pid_t pid;

	errno = 0;
	if (strcmp(what, "shadow") == 0)
		rc = open("/etc/shadow", O_RDONLY);
	else if (strncmp(what, "connect:", 8) == 0) {
		sin.sin_port = htons(atoi(arg));
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((fd = rc = socket(AF_INET, SOCK_STREAM, 0)) >= 0)
			rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	} else if (strcmp(what, "fork") == 0) {
		if ((pid = rc = fork()) == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	} else if (strcmp(what, "exec") == 0) {
		execl("/bin/sh", "sh", "-c", "echo exec: reached /bin/sh",
		    (char *)NULL);
		rc = -1;
	} else if (strcmp(what, "mount") == 0)
		/* A directory that does not exist: nothing is ever mounted. */
		rc = mount("none", "/nonexistent/replyd-sandbox", "tmpfs", 0,
		    NULL);
	else if (strncmp(what, "tmp:", 4) == 0)
		rc = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	else if (strncmp(what, "read:", 5) == 0)
		rc = open(arg, O_RDONLY);
	else if (strncmp(what, "see:", 4) == 0)
		rc = access(arg, F_OK);
	else if (strcmp(what, "ifs") == 0) {
		sandbox_ifs(out, n);
		return;
	}
	snprintf(out, n, "%s: reached the kernel: %s\n", what,
	    rc >= 0 ? "done" : strerror(errno));
}
