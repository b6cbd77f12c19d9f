/*
 * libFuzzer: the reply handler on any request bytes, over a socketpair
 * on fd 0 and 1 as in a child; the answer is always exactly the reply.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#include "handlers/handler.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct service svc = { .name = "fuzz", .reply = "thank you !\n",
	    .reply_len = 12, .max_request = 64, .timeout = 1 };
	struct conn c = { .svc = &svc };
	char buf[64];
	int sv[2], save0 = dup(0), save1 = dup(1), save2 = dup(2), null;
	ssize_t r;

	if (n > 4096 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	null = open("/dev/null", O_WRONLY);
	dup2(null, 2);		/* the handler's log lines */
	strcpy(c.peer, "fuzz");
	if (write(sv[1], data, n) != (ssize_t)n)
		abort();
	shutdown(sv[1], SHUT_WR);
	dup2(sv[0], 0);
	dup2(sv[0], 1);
	if (handler_reply(&c) != 0)
		abort();
	dup2(save0, 0);
	dup2(save1, 1);
	dup2(save2, 2);
	close(sv[0]);
	r = read(sv[1], buf, sizeof(buf));
	if (r != 12 || memcmp(buf, "thank you !\n", 12) != 0)
		abort();
	close(sv[1]);
	close(save0);
	close(save1);
	close(save2);
	close(null);
	return 0;
}
