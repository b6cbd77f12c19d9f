/* libFuzzer: proxy_parse() on any bytes; a header never claims more than it has. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "client/proxy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct proxy_info pi;
	int len = proxy_parse(data, n, &pi);

	if (len > (int)n || len > PROXY_MAX)
		abort();
	if (len > 0 && pi.version != 1 && pi.version != 2)
		abort();
	return 0;
}
