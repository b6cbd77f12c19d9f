/*
 * One line per event: to stderr in the foreground, to syslog (daemon
 * facility unless told otherwise) once daemonized, to both while a
 * daemon starts.  Client bytes only ever reach a log through
 * log_data() or log_escape(), never raw and never as a format.
 */
#ifndef REPLYD_LIB_LOG_H
#define REPLYD_LIB_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

/* How many bytes of client data one log line shows at most. */
#define LOG_DATA_MAX 256
/* Room log_escape() needs for LOG_DATA_MAX bytes, the marker and NUL. */
#define LOG_ESCAPED_MAX (LOG_DATA_MAX * 4 + 8)

void	log_use_syslog(int on);
void	log_also_syslog(void);
/* For lines whose priority names no facility (LOG_DAEMON at first). */
void	log_set_facility(int fac);
/* stderr is the journal (JOURNAL_STREAM): its lines get "<N>" first. */
void	log_journal_detect(void);
void	log_forked(void);
void	log_tag_pid(int on);
void	log_set_fd(int fd);
/* A line from a signal handler: parts joined, nothing that may lock. */
void	log_raw(int prio, const char *const *parts);
void	log_msg(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* fmt's line, then ': "data"' with data escaped (log_escape). */
void	log_data(int prio, const void *data, size_t n, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
size_t	log_escape(char *out, size_t outsz, const void *in, size_t n);

#endif
