/*
 * lower.so: upper.so's twin for the tests, which answers in lower case
 * (after the same `prefix`): what a module rebuilt with new behaviour
 * serves after a reload.  Its constructor writes the pid of the process
 * that loads it to the file LOWER_LOADED_BY names, if set.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <replyd/module.h>

__attribute__((constructor)) static void
loaded(void)
{
	const char *f = getenv("LOWER_LOADED_BY");
	char buf[32];
	int fd, n;

	if (f == NULL || (fd = open(f, O_WRONLY | O_CREAT | O_APPEND,
	    0644)) < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, n) != n)
		n = -1;
	close(fd);
}

static int
lower_serve(const struct replyd_peer *peer, const struct replyd_settings *s)
{
	const char *prefix = replyd_setting(s, "prefix");
	char buf[4096];
	ssize_t n, i;

	(void)peer;
	if ((n = read(0, buf, sizeof(buf))) < 0)
		return 1;
	for (i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	if (prefix != NULL && write(1, prefix, strlen(prefix)) < 0)
		return 1;
	return write(1, buf, n) == n ? 0 : 1;
}

const struct replyd_module replyd_module = {
	.abi = REPLYD_MODULE_ABI,
	.name = "lower",
	.serve = lower_serve,
};
