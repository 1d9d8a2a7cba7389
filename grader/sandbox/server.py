"""The fork server: a lean process that forks one isolated child per sandboxed run.

Started by `runner.py` as `python -I server.py <control fd>` with an empty environment, it
imports NumPy once (so a run does not pay for it), probes which isolation layers the host
allows, and then serves requests on a Unix socket: each request carries the run's limits and
the pipe ends of the run (stdin, stdout, stderr, result, status); the server forks and answers
with a pidfd of the child. It never reads a request's payload or a run's output: the source
and arguments go straight from the trusted side to the child through the stdin pipe.

Per run:
    server --fork--> keeper: enters the run's cgroup (memory, processes and CPU bounded for the
                     run as a whole), then the user/mount/network/PID/IPC namespaces, forks
                     runner-init, waits for it (killing it at the deadline, whatever the
                     trusted side does) and writes its exit status on the status pipe
    keeper --fork--> run: PID 1 of the new PID namespace (so when it dies the kernel kills
                     everything it started); builds the empty root, drops the uid and
                     capabilities, sets rlimits and seccomp, then runs `child.handle`.
Killing the keeper kills the run (PR_SET_PDEATHSIG), and with it the whole PID namespace.
Keepers die with the server (PR_SET_PDEATHSIG); the server ends when the worker that owns it
closes its control socket (it died, or stopped), and then kills every run it started. At its
start it kills what runs of a fork server that died before left behind.
"""

import contextlib
import json
import os
import signal
import socket
import struct
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder out
import cgroups
import child
import layers

# Submodules NumPy imports lazily are imported now, once, instead of in every run.
import numpy.fft
import numpy.linalg
import numpy.polynomial
import numpy.random  # noqa: F401

LAYERS = ("process", "namespaces", "user-namespace", "uid", "seccomp", "cgroups", "rlimits")
STATUS = struct.Struct("<ci")  # b"s" and the run's wait status, or b"e" and a message's length
KEEPER_GRACE_SECONDS = 2  # the keeper's own deadline comes this long after the trusted side's
RESULT_FD = 3
WORKDIR_MB = 32
MAX_PROCESSES = 16
MAX_OPEN_FILES = 64


def _vm_size() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


class Server:
    def __init__(self, control: socket.socket):
        self.control = control
        self.baseline = 0
        self.layers: dict[str, bool] = {}
        self.reasons: dict[str, str] = {}
        self.filter = None
        self.hierarchy: cgroups.Hierarchy | None = None
        self.runs: dict[int, str] = {}  # keeper pid -> its cgroup's name
        self.sequence = 0

    # --- entering the layers, in the keeper (enter_outer) and in the run (enter_inner) ---

    def enter_outer(self, uid: int) -> None:
        if self.layers.get("user-namespace"):
            layers.become(uid)
            layers.prctl(layers.PR_SET_DUMPABLE, 1)  # the id maps are ours to write
            layers.unshare(layers.CLONE_NEWUSER | layers.NAMESPACE_FLAGS)
            layers.write_id_maps(uid)
            layers.prctl(layers.PR_SET_DUMPABLE, 0)
        elif self.layers.get("namespaces"):
            layers.unshare(layers.NAMESPACE_FLAGS)

    def enter_inner(self, uid: int, limits: dict) -> None:
        if self.layers.get("namespaces"):
            layers.build_root("/tmp", WORKDIR_MB, uid)
        if self.layers.get("uid"):
            if self.layers.get("user-namespace"):
                layers.drop_capabilities()
            else:
                layers.become(uid)
        os.environ.clear()
        os.environ.update(limits["env"])
        layers.set_rlimits(
            limits["cpu_seconds"],
            self.baseline + limits["memory_mb"] * 1024 * 1024,
            limits["output_bytes"],
            # Without a uid of its own, RLIMIT_NPROC would count the worker's processes too.
            MAX_PROCESSES if self.layers.get("uid") else None,
            MAX_OPEN_FILES,
        )
        layers.prctl(layers.PR_SET_NO_NEW_PRIVS, 1)
        if self.layers.get("seccomp"):
            self.filter.load()

    # --- probing -------------------------------------------------------------------------

    def probe(self) -> None:
        """Find which layers work here by entering each in a throwaway child."""
        self.layers = {"process": True, "rlimits": True}
        try:
            self.filter = layers.seccomp_filter()
        except Exception as exc:
            self.reasons["seccomp"] = f"libseccomp is not usable: {exc}"
        candidates = [
            ("user-namespace", {"user-namespace": True, "namespaces": True}),
            ("namespaces", {"namespaces": True}),
        ]
        for name, wanted in candidates:
            if self._try(wanted, uid=True):
                self.layers.update(wanted)
                break
            self.reasons.setdefault(name, self._last_error)
        if "namespaces" not in self.layers:
            self.reasons.setdefault("namespaces", self._last_error)
        self.layers["uid"] = os.geteuid() == 0 and self._try({**self._entered(), "uid": True}, uid=True)
        if not self.layers["uid"]:
            self.reasons["uid"] = "the grading worker does not run as root" if os.geteuid() else self._last_error
        if self.filter is not None:
            self.layers["seccomp"] = self._try({**self._entered(), "seccomp": True}, uid=True)
            if not self.layers["seccomp"]:
                self.reasons["seccomp"] = self._last_error
        self._probe_cgroups()
        for name in LAYERS:
            self.layers.setdefault(name, False)

    def _probe_cgroups(self) -> None:
        try:
            self.hierarchy = cgroups.Hierarchy.probe()
            self.hierarchy.sweep_leftovers()
            group = self.hierarchy.create("run-probe", memory_bytes=64 << 20, processes=4)
            pid = os.fork()
            if pid == 0:
                try:
                    group.enter()
                    os._exit(0)
                except BaseException:
                    os._exit(1)
            _, status = os.waitpid(pid, 0)
            self.hierarchy.sweep()
            if status != 0:
                raise cgroups.CgroupError(0, "a process could not enter its run's cgroup")
            self.layers["cgroups"] = True
        except (OSError, ValueError) as exc:
            if self.hierarchy is not None:
                self.hierarchy.destroy()
            self.hierarchy = None
            self.reasons["cgroups"] = f"no cgroup for runs: {exc}"

    def _entered(self) -> dict:
        return {name: on for name, on in self.layers.items() if on}

    _last_error = ""

    def _try(self, wanted: dict, uid: bool) -> bool:
        saved = self.layers
        self.layers = {**saved, **wanted}
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            try:
                keeper_uid = layers.UID_BASE + os.getpid()
                self.enter_outer(keeper_uid)
                inner = os.fork()
                if inner == 0:
                    self.enter_inner(keeper_uid, {"cpu_seconds": 2, "memory_mb": 64, "output_bytes": 1000, "env": {}})
                    os.write(write_fd, b"ok")
                    os._exit(0)
                _, status = os.waitpid(inner, 0)
                os._exit(os.waitstatus_to_exitcode(status) if status else 0)
            except BaseException as exc:
                os.write(write_fd, f"{type(exc).__name__}: {exc}".encode()[:500])
                os._exit(1)
        os.close(write_fd)
        message = b""
        while chunk := os.read(read_fd, 4096):
            message += chunk
        os.close(read_fd)
        os.waitpid(pid, 0)
        self.layers = saved
        self._last_error = message.decode(errors="replace") or "no answer from the probe"
        return message == b"ok"

    # --- serving -------------------------------------------------------------------------

    def serve(self) -> None:
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # keepers are reaped by the kernel
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while True:
                try:
                    data, fds, _, _ = socket.recv_fds(self.control, 65536, 8)
                except ConnectionResetError:
                    return
                if not data:
                    return  # the worker is gone: so are its runs (below)
                limits = json.loads(data)
                try:
                    pid, group = self.spawn(limits, fds)
                    pidfd = os.pidfd_open(pid)
                    reply = {"pid": pid, "cgroup": {"version": group.version, "paths": group.paths} if group else None}
                    socket.send_fds(self.control, [json.dumps(reply).encode()], [pidfd])
                    os.close(pidfd)
                finally:
                    for fd in fds:
                        os.close(fd)
        finally:
            self.kill_all()

    def kill_all(self) -> None:
        """No run outlives its server."""
        for keeper in self.runs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(keeper, signal.SIGKILL)
        if self.hierarchy is not None:
            self.hierarchy.destroy()

    def _forget_finished(self) -> None:
        for keeper in [pid for pid in self.runs if not cgroups._alive(pid)]:
            del self.runs[keeper]
        if self.hierarchy is not None:
            self.hierarchy.sweep(keep=set(self.runs.values()))

    def spawn(self, limits: dict, fds: list[int]) -> tuple[int, cgroups.RunGroup | None]:
        self._forget_finished()
        group = None
        if self.layers.get("cgroups"):
            self.sequence += 1
            memory = limits["memory_mb"] * 1024 * 1024
            group = self.hierarchy.create(f"run-{self.sequence}", memory_bytes=memory, processes=MAX_PROCESSES + 2)
        server = os.getpid()
        pid = os.fork()
        if pid:
            if group is not None:
                self.runs[pid] = f"run-{self.sequence}"
            else:
                self.runs[pid] = ""
            return pid, group
        # The keeper. Nothing here may raise back into the server's loop.
        status_fd = fds[4]
        try:
            layers.prctl(layers.PR_SET_PDEATHSIG, signal.SIGKILL)  # dies with the server
            if os.getppid() != server:
                os._exit(0)
            if group is not None:
                group.enter()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.setsid()
            for target, fd in zip((0, 1, 2, RESULT_FD, 4), fds, strict=True):
                os.dup2(fd, target)
            status_fd = 4
            os.closerange(5, 65536)
            uid = layers.UID_BASE + os.getpid()
            self.enter_outer(uid)
            keeper = os.getpid()
            inner = os.fork()
            if inner == 0:
                self.run(uid, limits, keeper)
            for fd in (0, 1, 2, RESULT_FD):
                os.close(fd)
            # The deadline holds even if the trusted side is gone or stuck: the whole run is
            # killed (its cgroup, or the keeper's process group, the keeper included).
            signal.signal(signal.SIGALRM, lambda *_: self._kill_run(group))
            signal.setitimer(signal.ITIMER_REAL, limits.get("wall_seconds", 600) + KEEPER_GRACE_SECONDS)
            _, status = os.waitpid(inner, 0)
            signal.setitimer(signal.ITIMER_REAL, 0)
            os.write(status_fd, STATUS.pack(b"s", status))
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}".encode()[:2000]
            with contextlib.suppress(OSError):
                os.write(status_fd, STATUS.pack(b"e", len(message)) + message)
        os._exit(0)

    @staticmethod
    def _kill_run(group) -> None:
        if group is not None:
            group.kill()
        os.killpg(0, signal.SIGKILL)

    def run(self, uid: int, limits: dict, keeper: int) -> None:
        try:
            layers.prctl(layers.PR_SET_PDEATHSIG, signal.SIGKILL)
            if not self.layers.get("namespaces") and os.getppid() != keeper:
                os._exit(70)  # the keeper is already gone: the run was killed
            os.close(4)
            self.enter_inner(uid, limits)
        except BaseException:
            os.write(2, b"sandbox setup failed: " + traceback.format_exc().encode()[-2000:])
            os._exit(71)
        child.main(RESULT_FD)


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    # No PR_SET_PDEATHSIG here: it fires when the *thread* that started the server ends, and
    # the worker starts it from whichever grading thread came first. The server ends instead
    # when the worker closes the control socket, which the kernel does when the worker dies.
    server = Server(control)
    server.baseline = _vm_size()
    layers.stage_read_only_paths()
    server.probe()
    hello = {"layers": server.layers, "reasons": server.reasons, "pid": os.getpid()}
    try:
        control.sendall(json.dumps(hello).encode())
    except (BrokenPipeError, ConnectionResetError):
        server.kill_all()
        return  # the worker went away while this server started
    server.serve()


if __name__ == "__main__":
    main()
