/*
 * UDP services.  Each datagram is one exchange and gets one child, like a
 * TCP connection, and the handler still only sees stdin and stdout: its
 * stdin is a stream socketpair holding the datagram and then EOF (so a
 * shell's byte-by-byte read works), its stdout a SOCK_SEQPACKET
 * socketpair whose every write the master sends as one reply datagram
 * from the service's own socket.  The master
 * never runs handler code; it only counts datagrams and bytes, so that
 * replyd is no amplifier: replies beyond max_amplification times the
 * request, in datagrams and in bytes on the wire (headers counted), are
 * not sent to a source it cannot verify, and no loop: datagrams
 * from itself, from any port it serves or from the ports of echo-like
 * services are dropped (udp_recv).
 */
#ifndef REPLYD_MASTER_UDP_RELAY_H
#define REPLYD_MASTER_UDP_RELAY_H

#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "conf/conf.h"
#include "lib/addr.h"

#define UDP_MAX 65535
/* Answers a second to one address and port (udp_budget). */
#define UDP_PEER_RATE		10
#define UDP_PEER_RATE_TEXT	"10"

struct udp_req {
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
	unsigned char		*data;		/* UDP_MAX bytes, reused */
	size_t			 len;
};

/* The master's side of one exchange. */
struct udp_relay {
	int			 fd;		/* socketpair end, -1: done */
	int			 out;		/* dup of the service socket */
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
	size_t			 reqlen, sent;	/* sent: taken by the kernel */
	unsigned		 dgrams;	/* datagrams sent */
	int			 cut;
	unsigned		 failed;	/* replies not sent */
	double			 amp;		/* the service's max_amplification */
	size_t			 free;		/* bytes allowed whatever amp says */
	char			 name[72];	/* the service's, for logs */
	int			 log_requests;	/* its `log` says "requests" */
	char			 peertext[ADDR_STRLEN];
};

struct run_state;

int	udp_recv(const struct service *svc, int fd, struct udp_req *req);
int	udp_budget(const struct service *svc, const struct udp_req *req,
	    const struct timespec *now);
int	udp_start(const struct service *svc, const struct udp_req *req,
	    int lfd, struct udp_relay *r, int child[2]);
int	udp_pump(struct udp_relay *r);
void	udp_end(struct udp_relay *r);
void	udp_guard(const struct run_state *r);

#endif
