/*
 * Numeric socket addresses: parsing what the config says and printing
 * what the kernel says, the same way everywhere (logs, UCSPI variables).
 */
#ifndef REPLYD_LIB_ADDR_H
#define REPLYD_LIB_ADDR_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>

/* Big enough for "[IPv6]:port". */
#define ADDR_STRLEN (INET6_ADDRSTRLEN + 8)

struct addr_text {
	char	ip[INET6_ADDRSTRLEN];
	char	port[8];
};

int	addr_parse(const char *s, int port, struct sockaddr_storage *ss,
	    socklen_t *len);
int	addr_text(const struct sockaddr *sa, struct addr_text *t);
void	addr_join(const struct addr_text *t, char *out, size_t outsz);

/* A listen entry "unix:/path" names a Unix domain socket. */
#define ADDR_UNIX_PREFIX	"unix:"
/* sun_path's size: a path must be shorter, for its NUL. */
#define ADDR_UNIX_PATH_MAX \
	((int)sizeof(((struct sockaddr_un *)0)->sun_path))
const char *addr_unix_path(const char *spec);

#endif
