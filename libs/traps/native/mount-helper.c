/*
 * The injector's mount helper: mount(2) and umount2(2) on request, without a process per
 * operation. Reads requests of three lines (operation, directory, options) on stdin and
 * answers each with one line: "0 " on success, "<errno> <message>" on failure.
 *   mount   <dir> <tmpfs options>   a tmpfs named "tmpfs" at <dir>
 *   umount  <dir> -                 unmounted; detached lazily if busy
 * The same protocol as the shell fallback in src/store/mounter.ts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

static int read_line(char *buf, size_t size) {
  if (!fgets(buf, (int)size, stdin)) return 0;
  size_t len = strlen(buf);
  if (len == 0 || buf[len - 1] != '\n') return 0; /* too long or cut: stop */
  buf[len - 1] = '\0';
  return 1;
}

int main(void) {
  char op[16], dir[4096], opts[1024];
  setvbuf(stdout, NULL, _IOLBF, 0);
  while (read_line(op, sizeof op) && read_line(dir, sizeof dir) && read_line(opts, sizeof opts)) {
    int rc;
    if (strcmp(op, "mount") == 0) {
      rc = mount("tmpfs", dir, "tmpfs", 0, opts);
    } else if (strcmp(op, "umount") == 0) {
      rc = umount2(dir, 0);
      if (rc != 0 && errno == EBUSY) rc = umount2(dir, MNT_DETACH);
    } else {
      errno = EINVAL;
      rc = -1;
    }
    if (rc == 0) printf("0 \n");
    else printf("%d %s: %s\n", errno, op, strerror(errno));
  }
  return 0;
}
