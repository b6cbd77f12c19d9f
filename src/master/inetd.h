/*
 * `replyd -i`: the handler only, under inetd, xinetd or systemd.
 */
#ifndef REPLYD_MASTER_INETD_H
#define REPLYD_MASTER_INETD_H

struct conf;

void	inetd_prepare(void);
/* Takes ownership of c; returns the process exit status. */
int	inetd_serve(struct conf *c);

#endif
