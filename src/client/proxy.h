/*
 * HAProxy's PROXY protocol, versions 1 (text) and 2 (binary): the header
 * a load balancer puts before the client's bytes to say who the client
 * really is.
 */
#ifndef REPLYD_CLIENT_PROXY_H
#define REPLYD_CLIENT_PROXY_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * The longest header accepted: v2's, whose length field may say 65535
 * (HAProxy's TLVs for a unique id and TLS easily pass 512 bytes); v1's
 * own limit of 107 is checked by its parser.
 */
#define PROXY_MAX (16 + 65535)

struct proxy_info {
	int			 version;	/* 1 or 2 */
	int			 local;		/* v2 LOCAL: the balancer's own */
	int			 unknown;	/* UNKNOWN, UNSPEC: no addresses */
	struct sockaddr_storage	 src, dst;
};

int	proxy_parse(const unsigned char *buf, size_t n, struct proxy_info *pi);
int	proxy_looks_like(const unsigned char *buf, size_t n);
int	proxy_signature(const unsigned char *buf, size_t n);
int	proxy_read(int fd, int timeout, struct proxy_info *pi);

#endif
