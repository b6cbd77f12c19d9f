/*
 * libFuzzer: any text as an inetd.conf or an xinetd file (the first byte
 * chooses the reader) goes through replyd-import's reader, its last pass
 * and its writer.  Either it reports errors, or what it writes is a
 * configuration replyd loads (replyd -t), whenever a service in it is
 * enabled.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf/conf.h"
#include "handlers/handler.h"
#include "import/import.h"

static void
put(const char *path, const void *data, size_t n)
{
	FILE *fp;

	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, n, fp);
	fclose(fp);
}

/* What replyd-import wrote loads, when it holds an enabled service. */
static void
loads(const char *out, const struct svclist *l)
{
	struct conf_opts o = { .port = -1, .handlers = handler_names() };
	struct errlist errs = { 0 };
	const struct svc *s;
	struct conf *c;
	size_t i;

	for (s = l->head; s != NULL && s->disabled; s = s->next)
		;
	if (s == NULL)
		return;
	if ((c = conf_load(out, &o, &errs)) == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		abort();
	}
	errlist_free(&errs);
	conf_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static char in[64], out[64];
	struct svclist l;

	if (n == 0)
		return 0;
	if (in[0] == '\0') {
		snprintf(in, sizeof(in), "/tmp/fuzz_import.%ld", (long)getpid());
		snprintf(out, sizeof(out), "/tmp/fuzz_import.%ld.conf",
		    (long)getpid());
	}
	put(in, data + 1, n - 1);
	memset(&l, 0, sizeof(l));
	input_forget();
	diag_reset();
	if (data[0] & 1)
		xinetd_read(&l, in);
	else
		inetd_read(&l, in);
	xinetd_finish(&l);
	if (diag_status() == EX_OK) {
		finish_services(&l);
		fflush(stdout);
		if (freopen(out, "w", stdout) == NULL)
			abort();
		emit_conf(&l, data[0] & 2);	/* --all, or examples summarised */
		fflush(stdout);
		loads(out, &l);
	}
	finish_free(&l);
	return 0;
}
