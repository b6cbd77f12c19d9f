/*
 * replyd-import: what its files share.  The readers (inetd.c, xinetd.c
 * with xattr.c) turn each entry of an inetd.conf or xinetd file into a
 * struct svc, already in replyd's terms; svc.c checks the services
 * against this host and names them; emit.c writes them as a
 * replyd.conf `services` list.  Nothing here links libconfig: the
 * output is plain text, escaped by emit.c.
 */
#ifndef REPLYD_IMPORT_H
#define REPLYD_IMPORT_H

#include <stddef.h>
#include <stdio.h>

/* A growable array of strings, each owned by it. */
struct strv {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

enum svc_proto {
	SVC_TCP,
	SVC_UDP
};

/*
 * One service, as replyd will see it.  Numbers are -1 when the source
 * did not set them (replyd's default applies).  A disabled service is
 * written commented out; `why` says why, `notes` name every attribute
 * the source had that replyd cannot carry.
 */
struct svc {
	char		*file;		/* where the entry is */
	int		 line;
	char		*origin;	/* the entry's first line, for a comment */
	char		*name;		/* wanted name; the written one: final */
	char		*final;
	int		 port;
	enum svc_proto	 proto;
	struct strv	 listen;
	const char	*handler;	/* "exec", "echo", ... */
	int		 wait;		/* the program takes the socket */
	char		*program;
	struct strv	 args;
	struct strv	 env;
	char		*user;
	char		*group;
	long		 max_children;
	long		 per_source;
	double		 rate;
	double		 per_source_rate;	/* 0: not set */
	struct strv	 allow;
	struct strv	 deny;
	/* Per-process and socket settings; -1 (umask: NULL) when unset. */
	int		 groups;
	int		 nice;		/* set: nice_set */
	int		 nice_set;
	char		*umask;
	long		 rlimit_as;	/* MiB */
	long		 rlimit_cpu;	/* seconds */
	long		 rlimit_files;
	int		 keepalive;
	int		 nodelay;
	int		 disabled;
	int		 off;		/* the input had it off: an example */
	struct strv	 why;
	struct strv	 notes;
	struct svc	*next;
};

/* All services read, in order, and notes on the input as a whole. */
struct svclist {
	struct svc	*head;
	struct svc	**tail;
	struct strv	 inputs;
	struct strv	 notes;
};

/* strv.c */
void	*xmalloc(size_t);
char	*xstrdup(const char *);
char	*xprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 strv_add(struct strv *, const char *);
void	 strv_addf(struct strv *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 strv_has(const struct strv *, const char *);
void	 strv_remove(struct strv *, const char *);
void	 strv_clear(struct strv *);
void	 strv_split(struct strv *, const char *);

/* diag.c: errors in the input; each counts toward the exit status. */
void	 diag_error(const char *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 diag_warn(const char *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 diag_unreadable(const char *, int);
void	 diag_cannot_read(const char *, const char *);
int	 diag_status(void);
void	 diag_reset(void);

/* input.c: no input file is larger, as none of replyd's may be. */
#define INPUT_MAX	(16 * 1024 * 1024)
struct stat;
FILE	*input_fopen(const char *, struct stat *, const char **);
int	 input_open(const char *, FILE **);
void	 input_forget(void);
char	*input_line(FILE *, const char *, char **, size_t *);
int	 input_dir(const char *, struct strv *);

/* svc.c */
struct svc *svc_new(const char *, int, const char *);
void	 svc_add(struct svclist *, struct svc *);
void	 svc_note(struct svc *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 svc_disable(struct svc *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Off in the input itself (commented out, disable = yes): an example. */
void	 svc_off(struct svc *, const char *);
/* A restriction replyd cannot carry: disabled, and said on stderr. */
void	 svc_restrict(struct svc *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Whether /etc/hosts.allow or /etc/hosts.deny hold any rule. */
int	 svc_hosts_rules(void);
const char *svc_builtin(const char *);
int	 svc_port(struct svc *, const char *, const char *);
int	 svc_number(const char *, long, long, long *);
void	 svc_unwrap(struct svc *, const char *, const char *, char **,
	    size_t);

/* confine.c: notes on what replyd.service lets programs do */
void	 confine_notes(struct svclist *);

/* finish.c */
void	 finish_services(struct svclist *);
void	 finish_free(struct svclist *);

/* addr.c */
int	 addr_numeric(const char *);
const char *addr_why(const char *);
int	 addr_access(struct svc *, const char *, struct strv *);
int	 addr_inside(const char *, const char *);
void	 addr_v6only(struct svc *, const char *);

/* inetd.c and xinetd.c: 0, or -1 when the file could not be read. */
int	 inetd_read(struct svclist *, const char *);
int	 xinetd_read(struct svclist *, const char *);
int	 xinetd_dir(struct svclist *, const char *);
int	 xinetd_is(const char *);
void	 xinetd_finish(struct svclist *);

/* emit.c */
/* all: examples whole, not summarised in a line each */
void	 emit_conf(const struct svclist *, int all);

#endif
