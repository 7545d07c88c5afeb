/* SPDX-License-Identifier: Apache-2.0 */
/* pause_seccomp.h — pause mode's privilege drop: capabilities and the
 * seccomp allow-list (pause/seccomp.c). */
#ifndef PAUSE_SECCOMP_H
#define PAUSE_SECCOMP_H

/* Give up every capability: the bounding set (when we hold CAP_SETPCAP,
 * i.e. as root; without it the set cannot shrink and no_new_privs makes it
 * moot), the ambient set, then effective, permitted and inheritable.
 * Returns 0, or -1 with errno set when clearing ambient/capset failed. */
int pause_caps_drop(void);

/* Install the filter on the calling thread (needs no_new_privs first).
 * Returns 0, or -1 with errno set.  Afterwards only the syscalls listed in
 * seccomp.c may be made; any other one kills the whole process. */
int pause_seccomp_install(void);

#endif
