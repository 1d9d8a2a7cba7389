"""The isolation layers a sandboxed run enters before it touches untrusted code.

Imported only by the fork server (`server.py`), a lean process that holds no secrets. Each
layer is probed once when the server starts; a run then enters exactly the layers the probe
found working, and fails closed (no result, a platform error) if one of them breaks later.

Layers, outermost first:
- `namespaces`: new user (when the kernel allows it), mount, network, PID, IPC and UTS
  namespaces; the root is an empty tmpfs holding read-only views of the Python installation
  and the system libraries only, so the project tree, the reference solutions, the database
  and every socket (Redis on loopback included) are out of reach;
- `uid`: an unprivileged uid of its own per run (and no capabilities);
- `seccomp`: `no_new_privs` and a syscall filter (see `DENIED_SYSCALLS`);
- `rlimits`: CPU seconds, address space, processes, file size, open files, core 0.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import socket
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWCGROUP = 0x02000000
NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET

MS_RDONLY, MS_NOSUID, MS_NODEV = 1, 2, 4
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38

# A run's uid is this plus its pid: unique among live runs, so runs cannot signal each other
# and RLIMIT_NPROC (counted per uid) is a per-run budget.
UID_BASE = 200_000
WORKDIR = "/scratch"  # the only writable place; not /work, where the project lives here

DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr", "unshare", "setns",
    "bpf", "keyctl", "add_key", "request_key", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "open_by_handle_at", "name_to_handle_at", "acct", "swapon", "swapoff", "reboot",
    "syslog", "quotactl", "personality", "setdomainname", "sethostname",
    "settimeofday", "clock_settime", "adjtimex", "clock_adjtime",
)  # fmt: skip

_libc = ctypes.CDLL(None, use_errno=True)


class LayerError(OSError):
    """A layer could not be entered."""


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise LayerError(code, f"{what}: {os.strerror(code)}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), f"prctl({option})")


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        _libc.mount(
            source.encode(),
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def _syscall_number(name: str) -> int:
    import pyseccomp

    return pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name)


_PIVOT_ROOT = None


def pivot_root(new_root: str, put_old: str) -> None:
    global _PIVOT_ROOT
    if _PIVOT_ROOT is None:
        _PIVOT_ROOT = _syscall_number("pivot_root")
    _check(_libc.syscall(_PIVOT_ROOT, new_root.encode(), put_old.encode()), "pivot_root")


def drop_capabilities() -> None:
    """Empty every capability set: the run keeps none, even inside its own user namespace."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def read_only_paths() -> list[str]:
    """What a run may read: the interpreter, its standard library and installed packages,
    and the system libraries. Not the project tree, not /etc, not /root, not /home."""
    paths = ["/usr", "/lib", "/lib64", "/bin"]
    prefixes = {sys.base_prefix, sys.base_exec_prefix}
    paths += sorted(prefixes)
    paths += [entry for entry in sys.path if entry.endswith("site-packages")]
    return [path for path in dict.fromkeys(paths) if os.path.isdir(path)]


STAGING = "/mnt"
_staged: dict[str, str] = {}


def stage_read_only_paths() -> None:
    """Make `read_only_paths` reachable by a run, once, in the server while it is still root.

    A run enters its user namespace as an unprivileged uid, which cannot walk a path such as
    /root (mode 0700) where Python itself may be installed. So the server moves into a private
    mount namespace of its own (nothing leaks to the host) and bind-mounts each path under a
    walkable staging folder; runs bind from there. Where the server may not do this, runs bind
    the original paths and those under unwalkable folders stay invisible."""
    try:
        unshare(CLONE_NEWNS)
        mount("none", "/", None, MS_REC | MS_PRIVATE)
        mount("tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
        for index, path in enumerate(read_only_paths()):
            staged = f"{STAGING}/{index}"
            os.mkdir(staged, 0o755)
            mount(path, staged, None, MS_BIND | MS_REC)
            _staged[path] = staged
    except (LayerError, OSError):
        _staged.clear()


def build_root(new_root: str, workdir_mb: int, uid: int) -> None:
    """Replace the filesystem by a fresh tmpfs holding bind mounts of `read_only_paths`, an
    empty writable /work (the working directory), and /dev/null, /dev/zero, /dev/urandom."""
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", new_root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    sources = dict(_staged) or {path: path for path in read_only_paths()}
    for path, source in sources.items():
        target = new_root + path
        os.makedirs(target, mode=0o755, exist_ok=True)
        # DAC keeps the unprivileged uid from writing there; these are system files.
        mount(source, target, None, MS_BIND | MS_REC)
    os.makedirs(new_root + "/dev")
    for device in ("null", "zero", "urandom"):
        target = f"{new_root}/dev/{device}"
        open(target, "w").close()
        mount(f"/dev/{device}", target, None, MS_BIND)
    work = new_root + WORKDIR
    os.makedirs(work)
    mount("tmpfs", work, "tmpfs", MS_NOSUID | MS_NODEV, f"size={workdir_mb}m,mode=0700,uid={uid},gid={uid}")
    os.mkdir(new_root + "/.old")
    pivot_root(new_root, new_root + "/.old")
    os.chdir("/")
    _check(_libc.umount2(b"/.old", MNT_DETACH), "umount /.old")
    os.rmdir("/.old")
    # The root tmpfs is done: nothing but /work stays writable.
    mount("none", "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(WORKDIR)


def seccomp_filter():
    """The filter, built once in the server and loaded by every run (seccomp_load after fork)."""
    import pyseccomp

    denied = pyseccomp.ERRNO(errno.EPERM)
    sf = pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
    for name in DENIED_SYSCALLS:
        try:
            sf.add_rule(denied, name)
        except (ValueError, OSError):  # a syscall this architecture does not have
            continue
    sf.add_rule(pyseccomp.ERRNO(errno.EAFNOSUPPORT), "socket", pyseccomp.Arg(0, pyseccomp.NE, socket.AF_UNIX))
    sf.add_rule(pyseccomp.ERRNO(errno.EAFNOSUPPORT), "socketpair", pyseccomp.Arg(0, pyseccomp.NE, socket.AF_UNIX))
    for flag in (CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP):
        sf.add_rule(denied, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag))
    # clone3 passes its flags in memory a filter cannot read: refuse it, so that libc falls
    # back to clone, whose flags are checked above.
    sf.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    return sf


def set_rlimits(
    cpu_seconds: float, address_space: int, file_bytes: int, processes: int | None, open_files: int
) -> None:
    cpu = max(1, int(cpu_seconds + 0.999))
    # soft = hard: the kernel then sends SIGKILL, which PID 1 of a namespace cannot ignore
    # (it would ignore the SIGXCPU of a soft limit).
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    if processes is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))


def become(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def write_id_maps(uid: int) -> None:
    """Map the run's uid to itself in its new user namespace: it stays unprivileged."""
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
