/* SPDX-License-Identifier: Apache-2.0 */
/* pause_seccomp.h — pause mode's seccomp allow-list (pause/seccomp.c). */
#ifndef PAUSE_SECCOMP_H
#define PAUSE_SECCOMP_H

/* Install the filter on the calling thread (needs no_new_privs first).
 * Returns 0, or -1 with errno set.  Afterwards only the syscalls listed in
 * seccomp.c may be made; any other one kills the whole process. */
int pause_seccomp_install(void);

#endif
