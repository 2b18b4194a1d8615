// SPDX-License-Identifier: GPL-2.0
/* Beesting: report every open or exec of an armed decoy file.
 * Three backends share one match routine and one record: lsm/file_open,
 * fentry/security_file_open, and the tracepoint fallback (tp_btf/sys_exit for the
 * open family plus tp_btf/sched_prepare_exec). User space loads only the programs of
 * one backend. Everything is read with CO-RE so one object runs on 6.1 to 6.18. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "beesting.h"

char LICENSE[] SEC("license") = "GPL";

#define FMODE_EXEC 0x20
#define FMODE_PATH 0x4000

/* x86_64 syscall numbers of the open family */
#define NR_OPEN 2
#define NR_CREAT 85
#define NR_OPENAT 257
#define NR_OPEN_BY_HANDLE_AT 304
#define NR_OPENAT2 437

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bst_trap_key);
	__type(value, struct bst_trap_value);
} bst_traps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} bst_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BST_CTR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} bst_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct bst_rate_key);
	__type(value, struct bst_rate_value);
} bst_rate SEC(".maps");

/* The agent's own processes, by tgid: their opens are never reported. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} bst_excluded SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bst_config);
} bst_config SEC(".maps");

/* Keeps struct bst_event in the object's BTF for the layout test. */
struct bst_event bst_event_layout __attribute__((unused));

static __always_inline void count(__u32 counter, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&bst_counters, &counter);
	if (v)
		*v += n;
}

static __always_inline int bst_match(struct file *file, __u32 kind, __u32 backend)
{
	struct bst_trap_key key = {};
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	if (!inode)
		return 0;
	key.ino = BPF_CORE_READ(inode, i_ino);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	struct bst_trap_value *trap = bpf_map_lookup_elem(&bst_traps, &key);
	if (!trap)
		return 0;

	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (bpf_map_lookup_elem(&bst_excluded, &tgid)) {
		count(BST_CTR_EXCLUDED, 1);
		return 0;
	}
	count(BST_CTR_HITS, 1);

	__u64 now = bpf_ktime_get_ns();
	__u64 suppressed = 0;
	__u32 zero = 0;
	struct bst_config *cfg = bpf_map_lookup_elem(&bst_config, &zero);
	__u64 limit = cfg ? cfg->rate_limit_ns : 0;
	struct bst_rate_key rk = {.cookie = trap->cookie, .tgid = tgid};
	struct bst_rate_value *rate = NULL;
	if (limit) {
		rate = bpf_map_lookup_elem(&bst_rate, &rk);
		if (rate) {
			if (now - rate->last_ns < limit) {
				__sync_fetch_and_add(&rate->suppressed, 1);
				count(BST_CTR_SUPPRESSED, 1);
				return 0;
			}
			suppressed = rate->suppressed;
			rate->suppressed = 0;
			rate->last_ns = now;
		} else {
			struct bst_rate_value fresh = {.last_ns = now};
			bpf_map_update_elem(&bst_rate, &rk, &fresh, BPF_ANY);
		}
	}

	struct bst_event *e = bpf_ringbuf_reserve(&bst_events, sizeof(*e), 0);
	if (!e) {
		count(BST_CTR_DROPS, 1);
		/* What this record would have carried rides on the next one. */
		if (rate)
			__sync_fetch_and_add(&rate->suppressed, suppressed);
		return 0;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 uid_gid = bpf_get_current_uid_gid();
	e->ts_ns = now;
	e->cookie = trap->cookie;
	e->dev = key.dev;
	e->ino = key.ino;
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->suppressed = suppressed;
	e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	e->pid_ns = BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum);
	e->pid = (__u32)pid_tgid;
	e->tgid = tgid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)uid_gid;
	e->gid = uid_gid >> 32;
	e->kind = kind;
	e->backend = backend;
	e->f_flags = BPF_CORE_READ(file, f_flags);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	count(BST_CTR_RECORDS, 1);
	return 0;
}

/* An exec's open carries FMODE_EXEC in f_mode; kernels before 6.9 set it in f_flags
 * (__FMODE_EXEC, same bit) by the time security_file_open runs. */
static __always_inline __u32 kind_of(struct file *file)
{
	__u32 exec = (BPF_CORE_READ(file, f_mode) | BPF_CORE_READ(file, f_flags)) & FMODE_EXEC;
	return exec ? BST_ACCESS_EXEC : BST_ACCESS_OPEN;
}

SEC("lsm/file_open")
int BPF_PROG(bst_lsm_file_open, struct file *file)
{
	bst_match(file, kind_of(file), BST_BACKEND_LSM);
	return 0; /* observe, never deny */
}

SEC("fentry/security_file_open")
int BPF_PROG(bst_fentry_file_open, struct file *file)
{
	bst_match(file, kind_of(file), BST_BACKEND_FENTRY);
	return 0;
}

/* Runs for every syscall of every task: bail out on the number first. */
SEC("tp_btf/sys_exit")
int BPF_PROG(bst_tp_sys_exit, struct pt_regs *regs, long ret)
{
	if (ret < 0)
		return 0;
	long nr = BPF_CORE_READ(regs, orig_ax);
	if (nr != NR_OPENAT && nr != NR_OPEN && nr != NR_OPENAT2 && nr != NR_CREAT && nr != NR_OPEN_BY_HANDLE_AT)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	struct file *file = NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[ret]) || !file)
		return 0;
	/* O_PATH opens skip security_file_open; behave like the LSM hook. */
	if (BPF_CORE_READ(file, f_mode) & FMODE_PATH)
		return 0;
	bst_match(file, BST_ACCESS_OPEN, BST_BACKEND_TRACEPOINT);
	return 0;
}

SEC("tp_btf/sched_prepare_exec")
int BPF_PROG(bst_tp_prepare_exec, struct task_struct *task, struct linux_binprm *bprm)
{
	/* For a #! script, file is the interpreter by now; executable is the script itself. */
	struct file *file = NULL;
	if (bpf_core_field_exists(bprm->executable))
		file = BPF_CORE_READ(bprm, executable);
	if (!file)
		file = BPF_CORE_READ(bprm, file);
	if (file)
		bst_match(file, BST_ACCESS_EXEC, BST_BACKEND_TRACEPOINT);
	return 0;
}
