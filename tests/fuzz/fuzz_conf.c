/*
 * libFuzzer: any text as a configuration file goes through libconfig and
 * our validation; it is either a valid configuration or a list of
 * errors, each naming the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static char path[64];
	struct conf_opts o = { .port = -1 };
	struct conf_errors errs = { 0 };
	struct conf *c;
	size_t i;
	FILE *fp;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/fuzz_conf.%ld", (long)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, n, fp);
	fclose(fp);
	c = conf_load(path, &o, &errs);
	if ((c == NULL) != (errs.n > 0))
		abort();
	for (i = 0; i < errs.n; i++)
		if (strncmp(errs.msg[i], path, strlen(path)) != 0)
			abort();
	conf_free(c);
	conf_errors_free(&errs);
	return 0;
}
