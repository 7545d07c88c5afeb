// SPDX-License-Identifier: MIT
/*
 * qemu-exit — end a qemu guest with a status the host can read.
 *
 *   qemu-exit RC        (RC 0..127)
 *
 * qemu's isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,iosize=0x04)
 * terminates qemu when a value is written to its port; qemu's own exit status
 * is then (value << 1) | 1, so guest RC 0 shows up on the host as 1, RC 1 as
 * 3, and a plain poweroff or panic (status 0) can never pass for success.
 * Static, no libc beyond ioperm/outb: PID 1 of the initramfs runs it last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>

#define DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	char *end;
	long rc;

	if (argc != 2) {
		fprintf(stderr, "usage: qemu-exit RC   (0..127, needs qemu -device isa-debug-exit,iobase=0xf4)\n");
		return 2;
	}
	errno = 0;
	rc = strtol(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || rc < 0 || rc > 127) {
		fprintf(stderr, "qemu-exit: RC must be 0..127, got '%s'\n", argv[1]);
		return 2;
	}
	/* Port I/O needs CAP_SYS_RAWIO; PID 1 of the initramfs has it. */
	if (ioperm(DEBUG_EXIT_PORT, 4, 1)) {
		fprintf(stderr, "qemu-exit: ioperm(0x%x): %s (not root?)\n",
			DEBUG_EXIT_PORT, strerror(errno));
		return 1;
	}
	outb((unsigned char)rc, DEBUG_EXIT_PORT);
	/* Still here: the write went nowhere, qemu has no isa-debug-exit. */
	fprintf(stderr, "qemu-exit: no isa-debug-exit device at port 0x%x (start qemu with "
		"-device isa-debug-exit,iobase=0xf4,iosize=0x04)\n", DEBUG_EXIT_PORT);
	return 1;
}
