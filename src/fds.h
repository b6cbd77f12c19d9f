/*
 * Closing, or marking close-on-exec, every descriptor from lo up.
 */
#ifndef REPLYD_FDS_H
#define REPLYD_FDS_H

int	fds_close_from(int lo);
int	fds_cloexec_from(int lo);

#endif
