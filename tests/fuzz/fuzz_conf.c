/*
 * libFuzzer: any text as a configuration file goes through replyd's
 * reader, libconfig and our validation; it is either a valid
 * configuration or a list of errors, each "FILE: ..." or "FILE:LINE:
 * ...".  A valid one printed as replyd -T prints it reads back to a
 * configuration that prints the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "handlers/handler.h"

static char *
print(const struct conf *c, size_t *len)
{
	char *text = NULL;
	FILE *mem;

	if ((mem = open_memstream(&text, len)) == NULL)
		abort();
	conf_print(mem, c);
	fclose(mem);
	return text;
}

static struct conf *
load(const char *path, const void *data, size_t n, struct errlist *errs)
{
	struct conf_opts o = { .port = -1, .handlers = handler_names() };
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, n, fp);
	fclose(fp);
	return conf_load(path, &o, errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static char path[64];
	struct errlist errs = { 0 };
	struct conf *c, *again;
	char *one, *two;
	size_t i, len1, len2;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/fuzz_conf.%ld", (long)getpid());
	c = load(path, data, n, &errs);
	if ((c == NULL) != (errs.n > 0))
		abort();
	for (i = 0; i < errs.n; i++)
		if (strstr(errs.msg[i], ": ") == NULL)
			abort();
	errlist_free(&errs);
	if (c == NULL)
		return 0;
	one = print(c, &len1);
	if ((again = load(path, one, len1, &errs)) == NULL)
		abort();
	two = print(again, &len2);
	if (len1 != len2 || memcmp(one, two, len1) != 0)
		abort();
	free(one);
	free(two);
	conf_free(again);
	conf_free(c);
	return 0;
}
