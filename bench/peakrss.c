/*
 * peakrss: run a command with its standard output sent to /dev/null and print
 * its peak resident set size in KiB (getrusage's ru_maxrss of the child).
 *
 *   peakrss COMMAND [ARG...]
 *
 * Exit status: the command's own, 127 when it cannot be run, 2 on usage.
 * Nothing is printed when the command fails, so that a caller cannot take a
 * failed run's figure for a real one.
 */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: peakrss COMMAND [ARG...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "peakrss: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(127);
		close(fd);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "peakrss: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "peakrss: wait4: %s\n", strerror(errno));
			return 127;
		}
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "peakrss: %s: killed by signal %d\n", argv[1], WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	if (WEXITSTATUS(status) != 0)
		return WEXITSTATUS(status);
	printf("%ld\n", ru.ru_maxrss);
	return 0;
}
