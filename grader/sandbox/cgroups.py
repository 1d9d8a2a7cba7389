"""A control group per sandboxed run: limits that hold for the run as a whole.

rlimits are per process: a run limited to 512 MB could still use 8 x 400 MB across 8 processes.
A run's cgroup bounds the sum of its processes' memory (and swap), their number, and their CPU
to one core. Used by the fork server (`server.py`), which runs as root: it makes one parent
group of its own, `mlcourse-<server pid>`, and one group per run below it, which the run's
keeper enters before anything else. The trusted side kills a run's group as a whole at the end.

Both hierarchies are handled: cgroup v2 (one unified tree) where the memory, pids and cpu
controllers are there, else v1 (one tree per controller). Only the standard library is used:
the fork server imports nothing else.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time

CONTROLLERS = ("memory", "pids", "cpu")
PREFIX = "mlcourse-"
CPU_PERIOD_US = 100_000


class CgroupError(OSError):
    """The hierarchy is not there, or not ours to manage."""


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _mounts() -> tuple[str | None, dict[str, tuple[str, str]]]:
    """The cgroup2 mount point, and {controller: (v1 mount point, mount root)}."""
    unified, v1 = None, {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            separator = fields.index("-")
            root, mount_point, fstype, options = fields[3], fields[4], fields[separator + 1], fields[separator + 3]
            if fstype == "cgroup2":
                unified = unified or mount_point
            elif fstype == "cgroup":
                for option in options.split(","):
                    if option in CONTROLLERS:
                        v1[option] = (mount_point, root)
    return unified, v1


def _own_paths() -> dict[str, str]:
    """This process's cgroup per v1 controller, and "" for its v2 group."""
    paths = {}
    for line in _read("/proc/self/cgroup").splitlines():
        _, names, path = line.split(":", 2)
        for name in names.split(",") if names else [""]:
            paths[name] = path
    return paths


class Hierarchy:
    """Where this server's run groups live: one folder per controller (v1) or one (v2)."""

    def __init__(self, version: int, parents: dict[str, str]):
        self.version, self.parents = version, parents  # {controller: parent folder}

    @classmethod
    def probe(cls) -> Hierarchy:
        unified, v1 = _mounts()
        own = _own_paths()
        if unified and all(name in _read(os.path.join(unified, "cgroup.controllers")).split() for name in CONTROLLERS):
            return cls._v2(unified, own.get("", "/"))
        missing = [name for name in CONTROLLERS if name not in v1 or name not in own]
        if missing:
            raise CgroupError(errno.ENOENT, f"no cgroup controller for {', '.join(missing)}")
        parents = {}
        for name in CONTROLLERS:
            mount_point, root = v1[name]
            relative = os.path.relpath(own[name], root) if own[name].startswith(root) else own[name]
            parents[name] = os.path.normpath(os.path.join(mount_point, relative.lstrip("/"), f"{PREFIX}{os.getpid()}"))
        hierarchy = cls(1, parents)
        hierarchy._make_parents()
        return hierarchy

    @classmethod
    def _v2(cls, mount_point: str, own: str) -> Hierarchy:
        base = os.path.normpath(os.path.join(mount_point, own.lstrip("/")))
        wanted = " ".join(f"+{name}" for name in CONTROLLERS)
        try:
            _write(os.path.join(base, "cgroup.subtree_control"), wanted)
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                raise CgroupError(exc.errno, f"cannot delegate controllers below {base}: {exc.strerror}") from None
            # A group with processes cannot hand controllers down ("no internal processes"):
            # move them to a leaf of their own first, as container runtimes do.
            leaf = os.path.join(base, f"{PREFIX}processes")
            os.makedirs(leaf, exist_ok=True)
            for pid in _read(os.path.join(base, "cgroup.procs")).split():
                with contextlib.suppress(ProcessLookupError, OSError):
                    _write(os.path.join(leaf, "cgroup.procs"), pid)
            _write(os.path.join(base, "cgroup.subtree_control"), wanted)
        parent = os.path.join(base, f"{PREFIX}{os.getpid()}")
        hierarchy = cls(2, {name: parent for name in CONTROLLERS})
        hierarchy._make_parents()
        _write(os.path.join(parent, "cgroup.subtree_control"), wanted)
        return hierarchy

    def _make_parents(self) -> None:
        for parent in set(self.parents.values()):
            os.makedirs(parent, exist_ok=True)

    def folders(self) -> set[str]:
        return set(self.parents.values())

    # --- one run ---------------------------------------------------------------------------

    def create(self, name: str, *, memory_bytes: int, processes: int) -> RunGroup:
        group = RunGroup(
            self.version, {controller: os.path.join(parent, name) for controller, parent in self.parents.items()}
        )
        for folder in group.folders():
            os.mkdir(folder)
        if self.version == 2:
            folder = group.paths["memory"]
            _write(os.path.join(folder, "memory.max"), str(memory_bytes))
            with contextlib.suppress(FileNotFoundError):
                _write(os.path.join(folder, "memory.swap.max"), "0")
            _write(os.path.join(folder, "pids.max"), str(processes))
            _write(os.path.join(folder, "cpu.max"), f"{CPU_PERIOD_US} {CPU_PERIOD_US}")
        else:
            memory = group.paths["memory"]
            _write(os.path.join(memory, "memory.limit_in_bytes"), str(memory_bytes))
            with contextlib.suppress(FileNotFoundError, PermissionError):  # swap accounting may be off
                _write(os.path.join(memory, "memory.memsw.limit_in_bytes"), str(memory_bytes))
            _write(os.path.join(group.paths["pids"], "pids.max"), str(processes))
            _write(os.path.join(group.paths["cpu"], "cpu.cfs_period_us"), str(CPU_PERIOD_US))
            _write(os.path.join(group.paths["cpu"], "cpu.cfs_quota_us"), str(CPU_PERIOD_US))
        return group

    def sweep(self, keep: set[str] = frozenset()) -> None:
        """Remove this server's run groups that are over (their processes are gone)."""
        for parent in set(self.parents.values()):
            with contextlib.suppress(FileNotFoundError):
                for name in os.listdir(parent):
                    path = os.path.join(parent, name)
                    if name.startswith("run-") and name not in keep and os.path.isdir(path):
                        with contextlib.suppress(OSError):
                            os.rmdir(path)

    def sweep_leftovers(self) -> int:
        """Kill what runs of fork servers that died left behind, and remove their groups."""
        killed = 0
        for parent in set(self.parents.values()):
            above = os.path.dirname(parent)
            with contextlib.suppress(FileNotFoundError):
                for name in os.listdir(above):
                    if not name.startswith(PREFIX) or name == os.path.basename(parent) or name == f"{PREFIX}processes":
                        continue
                    pid = name[len(PREFIX) :]
                    if pid.isdigit() and _alive(int(pid)):
                        continue  # another fork server's, still serving
                    killed += _destroy_tree(os.path.join(above, name), self.version)
        return killed

    def destroy(self) -> None:
        for parent in set(self.parents.values()):
            _destroy_tree(parent, self.version)


class RunGroup:
    def __init__(self, version: int, paths: dict[str, str]):
        self.version, self.paths = version, paths

    def folders(self) -> list[str]:
        return list(dict.fromkeys(self.paths.values()))

    def enter(self) -> None:
        """Move the calling process (the run's keeper) into the group; its children follow."""
        for folder in self.folders():
            _write(os.path.join(folder, "cgroup.procs"), str(os.getpid()))

    def kill(self) -> int:
        """Kill the run as a whole. Every process of a run is in each of its folders (the
        keeper entered them all), so one folder names them all."""
        return kill_folder(self.paths["pids"], self.version)

    def oom_kills(self) -> int:
        memory = self.paths["memory"]
        try:
            if self.version == 2:
                text = _read(os.path.join(memory, "memory.events"))
            else:
                text = _read(os.path.join(memory, "memory.oom_control"))
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_folder(folder: str, version: int) -> int:
    """Kill every process in a group folder (and its subgroups); returns how many were signalled.

    On v1 the folder is listed until it names no process that has not been sent SIGKILL: one
    forked between a listing and its parent's kill shows up in the next listing, and a process
    with SIGKILL pending cannot fork. Waiting for the killed to finish dying is not needed (and
    cost every run several milliseconds); the group's folder is removed later, by `sweep`."""
    if version == 2:
        with contextlib.suppress(OSError):
            _write(os.path.join(folder, "cgroup.kill"), "1")
            return 1
    signalled: set[int] = set()
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        pids = set()
        for directory, _, files in os.walk(folder):
            if "cgroup.procs" in files:
                with contextlib.suppress(OSError):
                    pids.update(int(pid) for pid in _read(os.path.join(directory, "cgroup.procs")).split())
        if not pids - signalled:
            break
        for pid in pids - signalled:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
            signalled.add(pid)
    return len(signalled)


def _destroy_tree(folder: str, version: int) -> int:
    killed = kill_folder(folder, version)
    for _ in range(100):
        for directory, subfolders, _ in os.walk(folder, topdown=False):
            for name in subfolders:
                with contextlib.suppress(OSError):
                    os.rmdir(os.path.join(directory, name))
        try:
            os.rmdir(folder)
            break
        except FileNotFoundError:
            break
        except OSError:
            time.sleep(0.02)  # the killed processes are still being torn down
    return killed
