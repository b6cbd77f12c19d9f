/*
 * upper.so: an example replyd handler module.  It reads one request (at
 * most 4096 bytes) and answers with it in upper case, after the optional
 * `prefix` setting:
 *
 *	handler = "module";
 *	module = { path = "/path/to/upper.so"; prefix = "> "; };
 *
 * Build: cc -shared -fPIC -o upper.so upper.c
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <replyd/module.h>

static int
upper_check(const struct replyd_settings *s, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->keys[i], "prefix") != 0) {
			snprintf(err, errlen, "unknown setting \"%s\" (allowed: "
			    "prefix)", s->keys[i]);
			return -1;
		}
	return 0;
}

static int
upper_serve(const struct replyd_peer *peer, const struct replyd_settings *s)
{
	const char *prefix = replyd_setting(s, "prefix");
	char buf[4096];
	ssize_t n, i;

	(void)peer;
	if ((n = read(0, buf, sizeof(buf))) < 0)
		return 1;
	for (i = 0; i < n; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	if (prefix != NULL && write(1, prefix, strlen(prefix)) < 0)
		return 1;
	return write(1, buf, n) == n ? 0 : 1;
}

const struct replyd_module replyd_module = {
	.abi = REPLYD_MODULE_ABI,
	.name = "upper",
	.check = upper_check,
	.serve = upper_serve,
};
