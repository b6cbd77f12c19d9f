/*
 * threadmod.so: a module whose constructor starts a thread, as one that
 * links a threaded library does.  The thread only sleeps; a signal it
 * does not block may be delivered to it, with the default action, so
 * the process that loads the module must block the signals it reads
 * before.  With THREADMOD_MASK set, the constructor appends to that
 * file the signal mask the thread starts with (its own: SigBlk of
 * /proc/thread-self/status, in hex).
 * It answers every client with its `reply` setting.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <replyd/module.h>

static void
write_mask(const char *file)
{
	char line[256];
	FILE *in;
	int fd;

	if ((in = fopen("/proc/thread-self/status", "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), in) != NULL)
		if (strncmp(line, "SigBlk:\t", 8) == 0)
			break;
	fclose(in);
	if (strncmp(line, "SigBlk:\t", 8) != 0 ||
	    (fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0)
		return;
	if (write(fd, line + 8, strlen(line + 8)) < 0)
		line[0] = '\0';
	close(fd);
}

static void *
sleeper(void *arg)
{
	(void)arg;
	for (;;)
		sleep(60);
	return NULL;
}

__attribute__((constructor)) static void
start_thread(void)
{
	const char *file = getenv("THREADMOD_MASK");
	pthread_t t;

	if (file != NULL)
		write_mask(file);
	if (pthread_create(&t, NULL, sleeper, NULL) == 0)
		pthread_detach(t);
}

static int
threadmod_serve(const struct replyd_peer *peer,
    const struct replyd_settings *s)
{
	const char *reply = replyd_setting(s, "reply");
	char buf[4096];

	(void)peer;
	if (read(0, buf, sizeof(buf)) < 0 || reply == NULL)
		return 1;
	return write(1, reply, strlen(reply)) < 0 ||
	    write(1, "\n", 1) != 1 ? 1 : 0;
}

const struct replyd_module replyd_module = {
	.abi = REPLYD_MODULE_ABI,
	.name = "threadmod",
	.serve = threadmod_serve,
};
