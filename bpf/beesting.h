/* The kernel -> user record and the map layouts, shared by beesting.bpf.c and the
 * node addon (libs/bpf-native). The TS decoder's offsets are checked against the BTF
 * of the built object by a test, so this file is the only definition. */
#ifndef BEESTING_H
#define BEESTING_H

#define BST_COMM_LEN 16

enum bst_access_kind {
	BST_ACCESS_OPEN = 1,
	BST_ACCESS_EXEC = 2,
};

enum bst_backend {
	BST_BACKEND_LSM = 1,
	BST_BACKEND_FENTRY = 2,
	BST_BACKEND_TRACEPOINT = 3,
};

enum bst_counter {
	BST_CTR_HITS = 0,       /* opens of an armed decoy by a process not excluded */
	BST_CTR_RECORDS = 1,    /* records written to the ring buffer */
	BST_CTR_SUPPRESSED = 2, /* opens folded by the rate limit */
	BST_CTR_DROPS = 3,      /* records lost to a full ring buffer */
	BST_CTR_EXCLUDED = 4,   /* opens by the agent's own processes */
	BST_CTR_MAX = 5,
};

/* A decoy as the kernel sees it: s_dev in the kernel's encoding (major << 20 | minor). */
struct bst_trap_key {
	__u64 dev;
	__u64 ino;
};

struct bst_trap_value {
	__u64 cookie; /* chosen by user space, carried in each record */
};

struct bst_rate_key {
	__u64 cookie;
	__u32 tgid;
	__u32 pad;
};

struct bst_rate_value {
	__u64 last_ns;
	__u64 suppressed;
};

struct bst_config {
	__u64 rate_limit_ns; /* at most one record per (decoy, process) in this interval; 0: none */
};

struct bst_event {
	__u64 ts_ns;      /* bpf_ktime_get_ns() */
	__u64 cookie;
	__u64 dev;
	__u64 ino;
	__u64 cgroup_id;
	__u64 suppressed; /* opens by this process of this decoy folded since its previous record */
	__u32 mnt_ns;
	__u32 pid_ns;
	__u32 pid;        /* thread id */
	__u32 tgid;       /* process id */
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 kind;       /* enum bst_access_kind */
	__u32 backend;    /* enum bst_backend */
	__u32 f_flags;
	char comm[BST_COMM_LEN];
};

#endif
