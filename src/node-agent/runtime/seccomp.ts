// The RuntimeDefault seccomp profile in OCI form, with Docker's default-profile semantics:
// deny by default with EPERM, allow the ordinary syscalls, and open the namespace, mount, module,
// clock and tracing families only when the container holds the matching capability.

import { freezeShared } from '../../api/shared-objects.js';

export interface OciSeccompArg { index: number; value: number; valueTwo?: number; op: string }
export interface OciSeccompRule { names: string[]; action: string; errnoRet?: number; args?: OciSeccompArg[] }
export interface OciSeccomp { defaultAction: string; defaultErrnoRet: number; architectures: string[]; syscalls: OciSeccompRule[] }

const EPERM = 1;
const ENOSYS = 38;

/** Namespace-creating clone flags (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET). */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;

/** Syscalls every container may make, whatever its capabilities. */
const ALWAYS_ALLOWED: readonly string[] = [
  '_llseek', '_newselect', 'accept', 'accept4', 'access', 'adjtimex', 'alarm', 'arch_prctl',
  'bind', 'brk', 'capget', 'capset', 'chdir', 'chmod', 'chown', 'chown32',
  'clock_adjtime', 'clock_adjtime64', 'clock_getres', 'clock_getres_time64', 'clock_gettime', 'clock_gettime64', 'clock_nanosleep', 'clock_nanosleep_time64',
  'close', 'close_range', 'connect', 'copy_file_range', 'creat', 'dup', 'dup2', 'dup3',
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2', 'epoll_wait', 'epoll_wait_old',
  'eventfd', 'eventfd2', 'execve', 'execveat', 'exit', 'exit_group', 'faccessat', 'faccessat2',
  'fadvise64', 'fadvise64_64', 'fallocate', 'fanotify_mark', 'fchdir', 'fchmod', 'fchmodat', 'fchown',
  'fchown32', 'fchownat', 'fcntl', 'fcntl64', 'fdatasync', 'fgetxattr', 'flistxattr', 'flock',
  'fork', 'fremovexattr', 'fsetxattr', 'fstat', 'fstat64', 'fstatat64', 'fstatfs', 'fstatfs64',
  'fsync', 'ftruncate', 'ftruncate64', 'futex', 'futex_time64', 'futimesat', 'get_robust_list', 'get_thread_area',
  'getcpu', 'getcwd', 'getdents', 'getdents64', 'getegid', 'getegid32', 'geteuid', 'geteuid32',
  'getgid', 'getgid32', 'getgroups', 'getgroups32', 'getitimer', 'getpeername', 'getpgid', 'getpgrp',
  'getpid', 'getppid', 'getpriority', 'getrandom', 'getresgid', 'getresgid32', 'getresuid', 'getresuid32',
  'getrlimit', 'getrusage', 'getsid', 'getsockname', 'getsockopt', 'gettid', 'gettimeofday', 'getuid',
  'getuid32', 'getxattr', 'inotify_add_watch', 'inotify_init', 'inotify_init1', 'inotify_rm_watch', 'io_cancel', 'io_destroy',
  'io_getevents', 'io_setup', 'io_submit', 'ioctl', 'ioprio_get', 'ioprio_set', 'ipc', 'kill',
  'landlock_add_rule', 'landlock_create_ruleset', 'landlock_restrict_self', 'lchown', 'lchown32', 'lgetxattr', 'link', 'linkat',
  'listen', 'listxattr', 'llistxattr', 'lremovexattr', 'lseek', 'lsetxattr', 'lstat', 'lstat64',
  'madvise', 'membarrier', 'memfd_create', 'memfd_secret', 'mincore', 'mkdir', 'mkdirat', 'mknod',
  'mknodat', 'mlock', 'mlock2', 'mlockall', 'mmap', 'mmap2', 'modify_ldt', 'mprotect',
  'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive', 'mq_timedreceive_time64', 'mq_timedsend', 'mq_timedsend_time64', 'mq_unlink',
  'mremap', 'msgctl', 'msgget', 'msgrcv', 'msgsnd', 'msync', 'munlock', 'munlockall',
  'munmap', 'nanosleep', 'newfstatat', 'open', 'openat', 'openat2', 'pause', 'pidfd_open',
  'pidfd_send_signal', 'pipe', 'pipe2', 'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'poll', 'ppoll',
  'ppoll_time64', 'prctl', 'pread64', 'preadv', 'preadv2', 'prlimit64', 'process_mrelease', 'process_vm_readv',
  'process_vm_writev', 'pselect6', 'pselect6_time64', 'ptrace', 'pwrite64', 'pwritev', 'pwritev2', 'read',
  'readahead', 'readdir', 'readlink', 'readlinkat', 'readv', 'recv', 'recvfrom', 'recvmmsg',
  'recvmmsg_time64', 'recvmsg', 'remap_file_pages', 'removexattr', 'rename', 'renameat', 'renameat2', 'restart_syscall',
  'rmdir', 'rseq', 'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn', 'rt_sigsuspend',
  'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_tgsigqueueinfo', 'sched_get_priority_max', 'sched_get_priority_min', 'sched_getaffinity', 'sched_getattr', 'sched_getparam',
  'sched_getscheduler', 'sched_rr_get_interval', 'sched_rr_get_interval_time64', 'sched_setaffinity', 'sched_setattr', 'sched_setparam', 'sched_setscheduler', 'sched_yield',
  'seccomp', 'select', 'semctl', 'semget', 'semop', 'semtimedop', 'semtimedop_time64', 'send',
  'sendfile', 'sendfile64', 'sendmmsg', 'sendmsg', 'sendto', 'set_robust_list', 'set_thread_area', 'set_tid_address',
  'setfsgid', 'setfsgid32', 'setfsuid', 'setfsuid32', 'setgid', 'setgid32', 'setgroups', 'setgroups32',
  'setitimer', 'setpgid', 'setpriority', 'setregid', 'setregid32', 'setresgid', 'setresgid32', 'setresuid',
  'setresuid32', 'setreuid', 'setreuid32', 'setrlimit', 'setsid', 'setsockopt', 'setuid', 'setuid32',
  'setxattr', 'shmat', 'shmctl', 'shmdt', 'shmget', 'shutdown', 'sigaction', 'sigaltstack',
  'signal', 'signalfd', 'signalfd4', 'sigpending', 'sigprocmask', 'sigreturn', 'sigsuspend', 'socket',
  'socketcall', 'socketpair', 'splice', 'stat', 'stat64', 'statfs', 'statfs64', 'statx',
  'symlink', 'symlinkat', 'sync', 'sync_file_range', 'syncfs', 'syscall', 'sysinfo', 'tee',
  'tgkill', 'time', 'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_gettime64', 'timer_settime',
  'timer_settime64', 'timerfd', 'timerfd_create', 'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64', 'times',
  'tkill', 'truncate', 'truncate64', 'ugetrlimit', 'umask', 'uname', 'unlink', 'unlinkat',
  'utime', 'utimensat', 'utimensat_time64', 'utimes', 'vfork', 'wait4', 'waitid', 'waitpid',
  'write', 'writev',
];

/** Personality values Docker lets through: PER_LINUX, PER_LINUX32, UNAME26 variants and the query. */
const PERSONALITY_VALUES: readonly number[] = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

/** Syscalls that need a capability the default set does not hold. */
const CAPABILITY_GATED: ReadonlyArray<{ capability: string; names: readonly string[] }> = [
  {
    capability: 'CAP_SYS_ADMIN',
    names: [
      'bpf', 'clone', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie',
      'mount', 'mount_setattr', 'move_mount', 'name_to_handle_at', 'open_tree', 'perf_event_open', 'quotactl',
      'quotactl_fd', 'setdomainname', 'sethostname', 'setns', 'syslog', 'umount', 'umount2', 'unshare', 'pivot_root',
    ],
  },
  { capability: 'CAP_SYS_BOOT', names: ['reboot'] },
  { capability: 'CAP_SYS_CHROOT', names: ['chroot'] },
  { capability: 'CAP_SYS_MODULE', names: ['delete_module', 'init_module', 'finit_module'] },
  { capability: 'CAP_SYS_PACCT', names: ['acct'] },
  { capability: 'CAP_SYS_PTRACE', names: ['kcmp', 'pidfd_getfd', 'process_madvise'] },
  { capability: 'CAP_SYS_RAWIO', names: ['iopl', 'ioperm'] },
  { capability: 'CAP_SYS_TIME', names: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64'] },
  { capability: 'CAP_SYS_TTY_CONFIG', names: ['vhangup'] },
  { capability: 'CAP_SYS_NICE', names: ['get_mempolicy', 'mbind', 'set_mempolicy'] },
  { capability: 'CAP_SYSLOG', names: ['syslog'] },
  { capability: 'CAP_BPF', names: ['bpf'] },
  { capability: 'CAP_PERFMON', names: ['perf_event_open'] },
  { capability: 'CAP_DAC_READ_SEARCH', names: ['open_by_handle_at'] },
];

const profilesByCapabilities = new Map<string, OciSeccomp>();

/**
 * The RuntimeDefault profile for a container holding `capabilities` (CAP_* names). Containers with
 * the same capabilities share one profile object (read-only), so its hash is computed once too.
 */
export function runtimeDefaultSeccomp(capabilities: readonly string[]): OciSeccomp {
  const key = [...capabilities].sort().join(',');
  let profile = profilesByCapabilities.get(key);
  if (!profile) {
    profile = freezeShared(buildRuntimeDefaultSeccomp(capabilities));
    profilesByCapabilities.set(key, profile);
  }
  return profile;
}

function buildRuntimeDefaultSeccomp(capabilities: readonly string[]): OciSeccomp {
  const held = new Set(capabilities);
  const allowed = new Set<string>(ALWAYS_ALLOWED);
  for (const group of CAPABILITY_GATED) {
    if (held.has(group.capability)) for (const name of group.names) allowed.add(name);
  }
  const syscalls: OciSeccompRule[] = [{ names: [...allowed].sort(), action: 'SCMP_ACT_ALLOW' }];
  // libseccomp ORs separate rules for one syscall, so each personality value gets its own rule.
  for (const value of PERSONALITY_VALUES) {
    syscalls.push({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] });
  }
  if (!held.has('CAP_SYS_ADMIN')) {
    // Plain clone (threads, fork) is fine; clone with namespace flags is not. clone3 cannot be
    // filtered on its flags (they sit behind a pointer), so report it missing and libc falls back.
    syscalls.push({
      names: ['clone'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    });
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls,
  };
}
