/* Just enough of the newlib system interface to link printf. */
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>

extern char _end[];
static char *heap_top;

int _write(int fd, const char *p, int n);
int _read(int fd, char *p, int n);
int _close(int fd);
int _lseek(int fd, int off, int whence);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
void *_sbrk(ptrdiff_t inc);
void _exit(int code);
int _kill(int pid, int sig);
int _getpid(void);

int _write(int fd, const char *p, int n) { (void)fd; (void)p; return n; }
int _read(int fd, char *p, int n) { (void)fd; (void)p; (void)n; return 0; }
int _close(int fd) { (void)fd; return -1; }
int _lseek(int fd, int off, int whence) { (void)fd; (void)off; (void)whence; return 0; }
int _fstat(int fd, struct stat *st) { (void)fd; st->st_mode = S_IFCHR; return 0; }
int _isatty(int fd) { (void)fd; return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }
int _getpid(void) { return 1; }
void _exit(int code) { (void)code; for (;;) ; }

void *_sbrk(ptrdiff_t inc)
{
	char *prev;

	if (!heap_top)
		heap_top = _end;
	prev = heap_top;
	heap_top += inc;
	return prev;
}
