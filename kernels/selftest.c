// SPDX-License-Identifier: MIT
/*
 * selftest — kernel probe for the qemu kernel matrix (static, no libbpf).
 *
 *   selftest --facts          one line: "exit_args=N btf=0|1" (for scripts)
 *   selftest --list           test names, one per line
 *   selftest [NAME...]        run tests (all by default), TAP on stdout
 *
 * It is the matrix's own check that BPF works in a booted kernel at all, and
 * the stand-in for build/tests/telemetry_it while developing the matrix: the
 * same CLI, TAP, and a "# variants:" line.  Programs are hand-assembled and
 * loaded with the raw bpf(2) syscall so the binary has no dependencies.
 *
 * The exit-variant fact comes from the running kernel's BTF: the typedef
 * btf_trace_sched_process_exit points to the tracepoint's prototype; 6.16+
 * added a "bool group_dead" argument, so 2 arguments = v616, 1 = legacy.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define KID_COMM "pw-kmatrix-kid"	/* 14 chars: fits TASK_COMM_LEN */
#define NKIDS 3

static int tap_n, tap_failed;

static void ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++tap_n, what);
	fflush(stdout);
	if (!cond)
		tap_failed++;
}

/* --- BTF: count the arguments of the sched_process_exit tracepoint --- */

struct btf_hdr_raw {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

struct btf_type_raw {
	uint32_t name_off, info, size_or_type;
};

/* Bytes that follow struct btf_type for each kind (include/uapi/linux/btf.h). */
static long btf_extra(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case 1: case 14: case 17: return 4;		/* INT VAR DECL_TAG */
	case 2: case 7: case 8: case 9: case 10: case 11:
	case 12: case 16: case 18: return 0;		/* PTR FWD TYPEDEF ... */
	case 3: return 12;				/* ARRAY */
	case 4: case 5: case 15: case 19: return 12L * vlen; /* STRUCT UNION DATASEC ENUM64 */
	case 6: case 13: return 8L * vlen;		/* ENUM FUNC_PROTO */
	default: return -1;
	}
}

static char *read_file(const char *path, long *len)
{
	char *buf = NULL;
	long cap = 0, n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	/* sysfs BTF reports a size but read in chunks anyway. */
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 1 << 22);

			if (!nb)
				goto fail;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	*len = n;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* Returns the argument count (>= 0) or -1 with *why set. */
static int exit_tp_args(const char **why)
{
	const char *want = "btf_trace_sched_process_exit";
	struct btf_hdr_raw *h;
	const char *strs;
	uint32_t *off = NULL, ntypes = 0, cap = 0, id, tid = 0;
	long len, pos, end;
	int args = -1;
	char *buf = read_file(BTF_PATH, &len);

	*why = "cannot read " BTF_PATH " (kernel without CONFIG_DEBUG_INFO_BTF?)";
	if (!buf)
		return -1;
	h = (struct btf_hdr_raw *)buf;
	*why = "bad BTF header";
	if (len < (long)sizeof(*h) || h->magic != 0xeB9F ||
	    (long)h->hdr_len + h->str_off + h->str_len > len ||
	    (long)h->hdr_len + h->type_off + h->type_len > len)
		goto out;
	strs = buf + h->hdr_len + h->str_off;
	pos = h->hdr_len + h->type_off;
	end = pos + h->type_len;
	/* Type ids start at 1; remember where each one starts. */
	while (pos + (long)sizeof(struct btf_type_raw) <= end) {
		struct btf_type_raw *t = (void *)(buf + pos);
		long extra = btf_extra((t->info >> 24) & 0x1f, t->info & 0xffff);

		*why = "unknown BTF kind (newer kernel than this probe)";
		if (extra < 0)
			goto out;
		if (ntypes + 2 > cap) {
			uint32_t *no = realloc(off, (cap = cap ? cap * 2 : 65536) * sizeof(*off));

			*why = "out of memory";
			if (!no)
				goto out;
			off = no;
		}
		off[++ntypes] = pos;
		if (((t->info >> 24) & 0x1f) == 8 && t->name_off < h->str_len &&
		    !strcmp(strs + t->name_off, want))
			tid = ntypes;
		pos += sizeof(*t) + extra;
	}
	*why = "no typedef btf_trace_sched_process_exit in BTF";
	if (!tid)
		goto out;
	/* typedef -> PTR -> FUNC_PROTO(void *ctx, args...) */
	for (id = ((struct btf_type_raw *)(buf + off[tid]))->size_or_type; id && id <= ntypes;) {
		struct btf_type_raw *t = (void *)(buf + off[id]);
		uint32_t kind = (t->info >> 24) & 0x1f;

		if (kind == 13) {
			args = (int)(t->info & 0xffff) - 1;
			break;
		}
		*why = "btf_trace_sched_process_exit is not a pointer to a prototype";
		if (kind != 2 && kind != 8)
			break;
		id = t->size_or_type;
	}
out:
	free(off);
	free(buf);
	return args;
}

/* --- raw bpf(2) helpers --- */

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), \
			      .src_reg = (s), .off = (o), .imm = (i) })
#define LD_IMM64(d, s, v) INSN(BPF_LD | BPF_DW | BPF_IMM, d, s, 0, (uint32_t)(v)), \
			  INSN(0, 0, 0, 0, (uint32_t)((uint64_t)(v) >> 32))

static char vlog[65536];

static int prog_load(enum bpf_prog_type type, const struct bpf_insn *insns, int n)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)vlog;
	a.log_size = sizeof(vlog);
	a.log_level = 1;
	vlog[0] = 0;
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		printf("# BPF_PROG_LOAD type %d: %s\n# verifier: %.400s\n", type, strerror(errno), vlog);
	return fd;
}

/*
 * A program that counts exits of tasks named KID_COMM into slot 0 of an
 * array map.  Matching by comm keeps the count exact on a busy host.
 */
static int counting_prog(enum bpf_prog_type type, int map_fd)
{
	uint64_t lo, hi;
	char comm[16] = KID_COMM;

	memcpy(&lo, comm, 8);
	memcpy(&hi, comm + 8, 8);
	const struct bpf_insn p[] = {
		/* 6.1's helper uses strscpy (no padding): zero the buffer first. */
		INSN(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, 0),
		INSN(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0),		/* r1 = fp */
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -16),		/* r1 -= 16 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 16),		/* r2 = 16 */
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_current_comm),
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 1, 10, -16, 0),
		LD_IMM64(2, 0, lo),
		INSN(BPF_JMP | BPF_JNE | BPF_X, 1, 2, 13, 0),		/* -> out */
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 1, 10, -8, 0),
		LD_IMM64(2, 0, hi),
		INSN(BPF_JMP | BPF_JNE | BPF_X, 1, 2, 9, 0),		/* -> out */
		INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -20, 0),		/* key = 0 */
		LD_IMM64(1, BPF_PSEUDO_MAP_FD, map_fd),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -20),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0),		/* NULL -> out */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 0, BPF_ADD),	/* (*r0) += 1 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),		/* out: */
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	return prog_load(type, p, sizeof(p) / sizeof(p[0]));
}

static int map_create(void)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0)
		printf("# BPF_MAP_CREATE: %s\n", strerror(errno));
	return fd;
}

static long long map_get(int map_fd)
{
	union bpf_attr a;
	uint32_t key = 0;
	uint64_t val = 0;

	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&val;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a)) {
		printf("# BPF_MAP_LOOKUP_ELEM: %s\n", strerror(errno));
		return -1;
	}
	return (long long)val;
}

/* Fork NKIDS children that rename themselves and exit; 0 when all were reaped. */
static int run_kids(void)
{
	int i, st, bad = 0;

	for (i = 0; i < NKIDS; i++) {
		pid_t p = fork();

		if (p < 0)
			return -1;
		if (p == 0) {
			prctl(PR_SET_NAME, KID_COMM);
			_exit(0);
		}
		if (waitpid(p, &st, 0) != p || !WIFEXITED(st))
			bad = 1;
	}
	return bad ? -1 : 0;
}

/* --- tests --- */

static void t_kernel_btf(void)
{
	const char *why;
	int args = exit_tp_args(&why);

	if (args < 0)
		printf("# %s\n", why);
	else
		printf("# sched_process_exit tracepoint args: %d\n", args);
	ok(args >= 1, "kernel BTF describes the sched_process_exit tracepoint");
}

static void t_bpf_prog_load(void)
{
	const struct bpf_insn p[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	int fd = prog_load(BPF_PROG_TYPE_SOCKET_FILTER, p, 2);

	ok(fd >= 0, "bpf(BPF_PROG_LOAD) accepts a trivial program");
	if (fd >= 0)
		close(fd);
}

/* A tracefs event id file: one whole number >= 0 and a newline. */
static int read_tp_id(FILE *f, int *id)
{
	char buf[32], *end;
	long v;

	if (!fgets(buf, sizeof(buf), f))
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || errno || v < 0 || v > INT32_MAX || (*end != '\n' && *end != '\0'))
		return -1;
	*id = (int)v;
	return 0;
}

/* tp/sched/sched_process_exit through perf_event_open (needs tracefs) */
static void t_tracepoint_exits(void)
{
	const char *idpath = "/sys/kernel/tracing/events/sched/sched_process_exit/id";
	struct perf_event_attr pa;
	int map = -1, prog = -1, pfd = -1, got = 0;
	long long n = -1;
	FILE *f = fopen(idpath, "r");

	/*
	 * A host without tracefs mounted (the guest init mounts it): mount it
	 * in a private mount namespace rather than change the machine.
	 */
	if (!f && errno == ENOENT && !unshare(CLONE_NEWNS) &&
	    !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) &&
	    !mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		printf("# mounted tracefs in a private mount namespace\n");
		f = fopen(idpath, "r");
	}
	if (!f) {
		printf("# cannot open %s: %s (tracefs not mounted?)\n", idpath, strerror(errno));
		goto out;
	}
	if (read_tp_id(f, &got) < 0) {
		printf("# %s does not hold a tracepoint id\n", idpath);
		goto out;
	}
	map = map_create();
	if (map < 0 || (prog = counting_prog(BPF_PROG_TYPE_TRACEPOINT, map)) < 0)
		goto out;
	memset(&pa, 0, sizeof(pa));
	pa.type = PERF_TYPE_TRACEPOINT;
	pa.size = sizeof(pa);
	pa.config = got;
	pa.sample_period = 1;
	pa.wakeup_events = 1;
	/* pid -1 / cpu 0: the program hangs off the event, so it sees every CPU. */
	pfd = syscall(__NR_perf_event_open, &pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0 || ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) ||
	    ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0)) {
		printf("# attach tracepoint sched/sched_process_exit: %s\n", strerror(errno));
		goto out;
	}
	if (run_kids() == 0)
		n = map_get(map);
	printf("# tracepoint counted %lld exits of %d children\n", n, NKIDS);
out:
	ok(n == NKIDS, "tracepoint sched/sched_process_exit counts exactly the children's exits");
	if (f)
		fclose(f);
	if (pfd >= 0)
		close(pfd);
	if (prog >= 0)
		close(prog);
	if (map >= 0)
		close(map);
}

/* raw_tp/sched_process_exit through BPF_RAW_TRACEPOINT_OPEN (no tracefs) */
static void t_raw_tracepoint_exits(void)
{
	union bpf_attr a;
	int map = -1, prog = -1, link = -1;
	long long n = -1;

	map = map_create();
	if (map < 0 || (prog = counting_prog(BPF_PROG_TYPE_RAW_TRACEPOINT, map)) < 0)
		goto out;
	memset(&a, 0, sizeof(a));
	a.raw_tracepoint.name = (uintptr_t)"sched_process_exit";
	a.raw_tracepoint.prog_fd = prog;
	link = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
	if (link < 0) {
		printf("# BPF_RAW_TRACEPOINT_OPEN sched_process_exit: %s\n", strerror(errno));
		goto out;
	}
	if (run_kids() == 0)
		n = map_get(map);
	printf("# raw tracepoint counted %lld exits of %d children\n", n, NKIDS);
out:
	ok(n == NKIDS, "raw tracepoint sched_process_exit counts exactly the children's exits");
	if (link >= 0)
		close(link);
	if (prog >= 0)
		close(prog);
	if (map >= 0)
		close(map);
}

static void t_exit_variant(void)
{
	const char *why;
	int args = exit_tp_args(&why);
	struct utsname u;

	uname(&u);
	/* Same shape as telemetry_it's line, so the matrix report reads both. */
	printf("# variants: exit=%s (selftest probe, sched_process_exit args=%d, %s)\n",
	       args >= 2 ? "v616" : args == 1 ? "legacy" : "unknown", args, u.release);
	ok(args == 1 || args == 2, "sched_process_exit has 1 (legacy) or 2 (6.16+) arguments");
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "kernel_btf", t_kernel_btf },
	{ "bpf_prog_load", t_bpf_prog_load },
	{ "tracepoint_exits", t_tracepoint_exits },
	{ "raw_tracepoint_exits", t_raw_tracepoint_exits },
	{ "exit_variant", t_exit_variant },
};
#define NTESTS (int)(sizeof(tests) / sizeof(tests[0]))

static int usage(FILE *to, int rc)
{
	fprintf(to, "usage: selftest [--facts | --list | NAME...]\n");
	return rc;
}

int main(int argc, char **argv)
{
	const char *why;
	int i, j;

	if (argc == 2 && !strcmp(argv[1], "--facts")) {
		int args = exit_tp_args(&why);

		printf("exit_args=%d btf=%d\n", args, access(BTF_PATH, R_OK) == 0);
		return args < 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < NTESTS; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--help"))
		return usage(stdout, 0);
	for (j = 1; j < argc; j++) {
		for (i = 0; i < NTESTS && strcmp(argv[j], tests[i].name); i++)
			;
		if (i == NTESTS) {
			fprintf(stderr, "selftest: unknown test '%s' (see --list)\n", argv[j]);
			return usage(stderr, 2);
		}
	}
	for (i = 0; i < NTESTS; i++) {
		for (j = 1; j < argc && strcmp(argv[j], tests[i].name); j++)
			;
		if (argc > 1 && j == argc)
			continue;
		tests[i].fn();
	}
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
