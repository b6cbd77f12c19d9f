/*
 * Address helpers.  Only numeric addresses are accepted: a superserver
 * that resolves names at start-up depends on DNS to come up.  IPv4
 * clients of a dual-stack listener arrive as ::ffff:a.b.c.d; they are
 * printed as plain IPv4 so logs and TCPREMOTEIP look the same whichever
 * socket accepted them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/addr.h"

/* Parse "1.2.3.4", "::1" or "[::1]"; returns 0, or -1 with EINVAL. */
int
addr_parse(const char *s, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char buf[INET6_ADDRSTRLEN];
	size_t n = strlen(s);

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof(buf)) {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		s = buf;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int
addr_text(const struct sockaddr *sa, struct addr_text *t)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	unsigned port;

	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, t->ip, sizeof(t->ip));
		port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12],
			    t->ip, sizeof(t->ip));
		else
			inet_ntop(AF_INET6, &sin6->sin6_addr, t->ip,
			    sizeof(t->ip));
		port = ntohs(sin6->sin6_port);
	} else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	snprintf(t->port, sizeof(t->port), "%u", port);
	return 0;
}

/* "1.2.3.4:80" or "[::1]:80". */
void
addr_join(const struct addr_text *t, char *out, size_t outsz)
{
	if (strchr(t->ip, ':'))
		snprintf(out, outsz, "[%s]:%s", t->ip, t->port);
	else
		snprintf(out, outsz, "%s:%s", t->ip, t->port);
}

/* The path of a "unix:/path" listen entry; NULL for an IP address. */
const char *
addr_unix_path(const char *spec)
{
	size_t n = sizeof(ADDR_UNIX_PREFIX) - 1;

	if (spec == NULL || strncmp(spec, ADDR_UNIX_PREFIX, n) != 0)
		return NULL;
	return spec + n;
}
