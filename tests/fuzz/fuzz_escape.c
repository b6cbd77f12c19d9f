/*
 * libFuzzer: log_escape() never overflows and never lets a control byte
 * out, nor a line or paragraph separator, a bidi override or isolate, or
 * a zero-width character (U+2028/2029, U+202A-202E, U+2066-2069,
 * U+200B-200F, U+FEFF).
 */
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
	for (i = 0; i + 2 < len; i++) {
		const unsigned char *u = (const unsigned char *)out + i;

		if ((u[0] == 0xe2 && u[1] == 0x80 && ((u[2] >= 0x8b &&
		    u[2] <= 0x8f) || (u[2] >= 0xa8 && u[2] <= 0xae))) ||
		    (u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 &&
		    u[2] <= 0xa9) ||
		    (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf))
			abort();
	}
	/* A small buffer must be just as safe. */
	log_escape(out, 7, data, n);
	if (strlen(out) >= 7)
		abort();
	return 0;
}
