/* libFuzzer: cidr_parse() and addr_parse() on any string; matches stay sane. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/acl.h"
#include "lib/addr.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sockaddr_storage ss;
	struct cidr c;
	struct acl a = { &c, 1 };
	socklen_t len;
	char s[128];

	if (n >= sizeof(s))
		return 0;
	memcpy(s, data, n);
	s[n] = '\0';
	if (cidr_parse(s, &c) == 0) {
		if (c.bits < 0 || c.bits > (c.family == AF_INET ? 32 : 128))
			abort();
		addr_parse("127.0.0.1", 1, &ss, &len);
		acl_match(&a, (struct sockaddr *)&ss);
		addr_parse("::1", 1, &ss, &len);
		acl_match(&a, (struct sockaddr *)&ss);
	}
	if (addr_parse(s, 80, &ss, &len) == 0 && len > sizeof(ss))
		abort();
	return 0;
}
