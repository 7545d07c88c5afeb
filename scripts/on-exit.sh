# scripts/on-exit.sh — on_exit CMD: run CMD (a shell command string) when the
# shell that called on_exit exits, and never in a subshell of it.  Source it
# and use on_exit instead of "trap ... EXIT" (tests/lint/traps.t checks).
#
# Why: bash runs an inherited EXIT trap in a subshell that a signal kills
# right after the fork, before the subshell has reset its traps; a loaded
# machine widens that window.  A watchdog "(sleep N; kill ...) &" killed as
# soon as what it watched ended then ran the script's cleanup: it killed the
# script's processes and removed its files while the script went on.  The
# owner is the process that called on_exit, as the kernel names it
# (/proc/self/stat): in that window "$BASHPID" was seen to be the parent's.
# A subshell that calls on_exit owns its own trap.  Without /proc, both reads
# are empty and every shell runs CMD, as a bare trap would.
# shellcheck shell=bash

on_exit() {
	PW_EXIT_CMD=$1
	PW_EXIT_OWNER=
	read -r PW_EXIT_OWNER _ 2>/dev/null </proc/self/stat || true
	trap pw_on_exit EXIT
}

pw_on_exit() {
	local status=$? pid=
	read -r pid _ 2>/dev/null </proc/self/stat || true
	[ "$pid" = "$PW_EXIT_OWNER" ] || return "$status"
	# CMD sees the exit status in $?, as a bare trap would; set on the left of
	# ||, where a non-zero status does not trip set -e
	if [ "$status" -eq 0 ]; then
		eval "$PW_EXIT_CMD"
	else
		pw_status "$status" || eval "$PW_EXIT_CMD"
	fi
}

pw_status() { return "$1"; }
