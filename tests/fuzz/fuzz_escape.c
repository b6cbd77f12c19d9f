/* libFuzzer: log_escape() never overflows and never lets a control byte out. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char out[LOG_ESCAPED_MAX];
	size_t len, i;

	len = log_escape(out, sizeof(out), data, n);
	if (len != strlen(out))
		abort();
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
	/* A small buffer must be just as safe. */
	log_escape(out, 7, data, n);
	if (strlen(out) >= 7)
		abort();
	return 0;
}
