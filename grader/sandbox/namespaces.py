"""Namespaces for the sandbox child when the grader is not root (trusted side).

As root the child drops to a sandbox account (:mod:`grader.sandbox.isolation`).
As a normal user it runs instead in unprivileged namespaces -- user, mount,
network, IPC, PID, UTS -- where it sees the system (``/usr``, ``/lib*``,
``/bin``, a few files of ``/etc``), the engine (the ``grader`` package, not
the reference or the rubrics), the shipped ``public`` folder (where helper
functions passed to student code live, see :mod:`grader.sandbox.calls`) and the
Python it runs read-only, its own
working folder writable, and private empty ``/tmp``, ``/var/tmp`` and
``/dev/shm``; nothing of the user's home, the export folder or the results.
When the child's first process ends, the kernel kills every process left in
its PID namespace.

Two ways in, tried in order and probed once per process:

* ``bwrap`` (bubblewrap), where installed;
* ``kernel``: ``unshare(2)`` through ctypes, by this module run as a script
  (``python namespaces.py SPEC -- CMD...``), which mounts the same view and
  ``pivot_root``-s into it.

``GRADER_NAMESPACES`` (``auto``, ``bwrap``, ``kernel``, ``off``) forces one.

As root the same view is added around the uid drop where the kernel allows:
a fresh child starts the wrapper already as its sandbox account (probed once
per account, :func:`support_as`), so the namespaces are the account's own; a
child forked by the zygote enters new namespaces and the view as root right
after the fork, a PID namespace among them, then drops (:func:`enter_fork`).
Where namespaces are refused, the permissions of the account are the only
layer, as before.
Stdlib only, so that it also runs as the launcher script.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "MODE_ENV",
    "Support",
    "can_enter",
    "enter_fork",
    "fork_view",
    "forget_probe",
    "limits_processes",
    "popen",
    "support",
    "support_as",
    "unisolated_notice",
    "wrapped",
]

MODE_ENV = "GRADER_NAMESPACES"
_MODES = ("auto", "bwrap", "kernel", "off")
_PACKAGE = Path(__file__).resolve().parent.parent
_PUBLIC = "public"  # grader.sandbox.calls.HELPER_PACKAGE (this module imports only the standard library)
_SYSTEM = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "group", "nsswitch.conf",
        "alternatives")
_DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
_ROOT_DIR = ".nsroot"
"""Mount point, inside the run's working folder, of the new root (kernel mode)."""
_APPARMOR = Path("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")


@dataclass(frozen=True, slots=True)
class Support:
    """How this process isolates a child without root: ``bwrap``, ``kernel`` or ``none`` (and why)."""

    mode: str
    reason: str = ""

    @property
    def isolated(self) -> bool:
        return self.mode != "none"


_CACHE: dict[tuple[str, int | None], Support] = {}
_ENTER: list[bool] = []


def forget_probe() -> None:
    """Probe again on the next :func:`support` (after changing ``GRADER_NAMESPACES``)."""
    _CACHE.clear()
    _ENTER.clear()


def _wanted() -> str:
    return os.environ.get(MODE_ENV, "auto").strip().lower() or "auto"


def support() -> Support:
    """The isolation this process can give a child without root (probed once, then cached)."""
    wanted = _wanted()
    if (wanted, None) not in _CACHE:
        _CACHE[wanted, None] = _probe(wanted)
    return _CACHE[wanted, None]


def support_as(uid: int, gid: int, python: str | None = None) -> Support:
    """The namespaces a child started as ``uid``/``gid`` can make (root only; probed once per account)."""
    wanted = _wanted()
    if (wanted, uid) not in _CACHE:
        _CACHE[wanted, uid] = _probe(wanted, (uid, gid), python)
    return _CACHE[wanted, uid]


def limits_processes() -> bool:
    """Whether ``RLIMIT_NPROC`` may be set in the child: it counts per user namespace (Linux 5.14+).

    Older kernels count every process of the real user, the grader's included.
    """
    if not support().isolated:
        return False
    try:
        major, minor = (int(x) for x in platform.release().split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (5, 14)


def unisolated_notice(name: str) -> str:
    """The one line that says a run was not isolated, and why."""
    return f"not isolated by user: student code ran with {name}'s rights ({support().reason})"


# ------------------------------------------------------------------ probing


def _bwrap() -> str | None:
    return shutil.which("bwrap", path="/usr/bin:/bin:/usr/local/bin:" + os.environ.get("PATH", ""))


def _why_not() -> str:
    if sys.platform != "linux":
        return f"namespaces are Linux-only; this is {sys.platform}"
    try:
        restricted = _APPARMOR.read_text().strip() == "1"
    except OSError:
        restricted = False
    if restricted:
        return ("AppArmor restricts unprivileged user namespaces (Ubuntu 24.04+); install bubblewrap, "
                "whose AppArmor profile allows them: apt-get install bubblewrap")
    return "install bubblewrap (apt-get install bubblewrap) or run as root; the kernel refuses user namespaces"


def _probe(wanted: str, account: tuple[int, int] | None = None, python: str | None = None) -> Support:
    if wanted not in _MODES:
        return Support("none", f"{MODE_ENV}={wanted!r} is not one of {', '.join(_MODES)}")
    if wanted == "off":
        return Support("none", f"{MODE_ENV}=off")
    if sys.platform != "linux":
        return Support("none", _why_not())
    for mode in ("bwrap", "kernel") if wanted == "auto" else (wanted,):
        if mode == "bwrap" and not _bwrap():
            continue
        if _works(mode, account, python):
            return Support(mode)
    return Support("none", _why_not())


def _works(mode: str, account: tuple[int, int] | None = None, python: str | None = None) -> bool:
    """Whether a child really starts in ``mode`` (as ``account``): a tiny Python run in a throwaway folder."""
    workdir = Path(tempfile.mkdtemp(prefix="grader-probe-"))
    try:
        for sub in ("submission", "tmp"):
            (workdir / sub).mkdir()
        extra: dict[str, Any] = {}
        if account is not None:
            os.chmod(workdir, 0o711)
            for sub in ("submission", "tmp"):
                os.chown(workdir / sub, *account)
            prepare_root(workdir, account)
            extra = {"user": account[0], "group": account[1], "extra_groups": []}
        python = python or os.environ.get("GRADER_CHILD_PYTHON") or sys.executable
        cmd = [python, "-I", "-S", "-c", "import os; os.listdir('/')"]
        done = subprocess.run(wrapped(cmd, workdir=workdir, cwd=workdir / "submission", mode=mode),
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=30, check=False,
                              cwd="/", **extra)
        return done.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------ the view


def _python_roots(python: str) -> list[Path]:
    """Folders the child's interpreter needs: its virtual environment and installation."""
    exe = Path(python)
    roots = []
    if (exe.parent.parent / "pyvenv.cfg").is_file():
        roots.append(exe.parent.parent)
    if os.path.realpath(python) == os.path.realpath(sys.executable):
        roots += [Path(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)]
    roots.append(exe.resolve().parent.parent)
    return roots


def _view(workdir: Path, python: str) -> list[tuple[str, str, str]]:
    """What the child sees, in mount order: (``ro``/``rw``/``symlink``/``tmpfs``/``dev``/``proc``, source, target)."""
    spec: list[tuple[str, str, str]] = []
    for name in _SYSTEM:
        path = Path("/") / name
        if path.is_symlink():
            spec.append(("symlink", os.readlink(path), str(path)))
        elif path.is_dir():
            spec.append(("ro", str(path), str(path)))
    etc = [f"/etc/{n}" for n in _ETC] + sorted(glob.glob("/etc/python3*"))
    spec += [("ro", p, p) for p in etc if os.path.exists(p)]
    # the private /tmp first: the engine or the Python may live below it (an unzipped bundle)
    spec += [("proc", "", "/proc"), ("dev", "", "/dev"), ("tmpfs", "", "/tmp"), ("tmpfs", "", "/var/tmp"),
             ("tmpfs", "", "/dev/shm")]
    system = [Path("/") / name for name in _SYSTEM]
    bound: list[Path] = []
    for root in [_PACKAGE, _PACKAGE.parent / _PUBLIC, *_python_roots(python)]:
        root = Path(os.path.abspath(root))
        inside = [*system, *bound]
        if root.is_dir() and root != Path("/") and not any(root == b or b in root.parents for b in inside):
            spec.append(("ro", str(root), str(root)))
            bound.append(root)
    work = str(Path(workdir).resolve())
    spec.append(("ro", work, work))
    spec += [("rw", f"{work}/{sub}", f"{work}/{sub}") for sub in ("submission", "tmp")]
    return spec


def wrapped(cmd: list[str], *, workdir: Path, cwd: Path, mode: str | None = None) -> list[str]:
    """``cmd`` run in namespaces, seeing only what :func:`_view` lists (``mode``: ``bwrap``/``kernel``)."""
    mode = mode or support().mode
    view = _view(workdir, cmd[0])
    if mode == "bwrap":
        return _bwrap_command(view, cmd, cwd)
    if mode == "kernel":
        spec = {"view": view, "cwd": str(cwd), "root": str(Path(workdir).resolve() / _ROOT_DIR)}
        return [cmd[0], "-I", "-S", "-B", str(Path(__file__).resolve()), json.dumps(spec), "--", *cmd]
    raise ValueError(f"no namespaces in mode {mode!r}")


_BWRAP_FLAGS: list[str] = []


def _bwrap_command(view: list[tuple[str, str, str]], cmd: list[str], cwd: Path) -> list[str]:
    exe = _bwrap() or "bwrap"
    if not _BWRAP_FLAGS:
        helptext = subprocess.run([exe, "--help"], capture_output=True, text=True, check=False).stdout
        _BWRAP_FLAGS.append("--disable-userns" if "--disable-userns" in helptext else "")
    args = [exe, "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--hostname", "sandbox", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", *filter(None, _BWRAP_FLAGS)]
    flag = {"ro": "--ro-bind", "rw": "--bind", "symlink": "--symlink", "tmpfs": "--tmpfs", "dev": "--dev",
            "proc": "--proc"}
    for kind, source, target in view:
        args += [flag[kind], source, target] if source else [flag[kind], target]
    # bwrap's --new-session leaves the child in PID 1's process group: give it its own, as in kernel mode
    setsid = [path] if (path := shutil.which("setsid", path="/usr/bin:/bin")) else []
    # bwrap sets PWD after --chdir; the child gets only the environment it was given
    unset = [path, "-u", "PWD"] if (path := shutil.which("env", path="/usr/bin:/bin")) else []
    return [*args, "--remount-ro", "/", "--chdir", str(cwd), "--", *unset, *setsid, *cmd]


# ------------------------------------------------------------------ starting


class _Process(subprocess.Popen):  # type: ignore[type-arg]
    """A namespaced child: its launcher reports death by signal N as exit code 128+N; undo that."""

    @property  # type: ignore[override]
    def returncode(self) -> int | None:
        return self.__dict__.get("_rc")

    @returncode.setter
    def returncode(self, value: int | None) -> None:
        if value is not None and 128 < value < 128 + signal.NSIG:
            value = 128 - value
        self.__dict__["_rc"] = value


def prepare_root(workdir: Path, account: tuple[int, int]) -> None:
    """As root: the mount point of the new root, owned by ``account`` (the run's folder is root's)."""
    path = Path(workdir) / _ROOT_DIR
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    os.chown(path, *account, follow_symlinks=False)


def popen(cmd: list[str], *, workdir: Path, cwd: Path, env: dict[str, str], stdout: int,
          pass_fds: tuple[int, ...], account: tuple[int, int] | None = None,
          mode: str | None = None) -> subprocess.Popen:  # type: ignore[type-arg]
    """Start ``cmd`` in namespaces (:func:`wrapped`), in a new session, stdin from /dev/null.

    With ``account`` (as root) the wrapper itself starts as that uid/gid, without
    supplementary groups, so the namespaces are the account's own.
    The wrapper's command line holds ``cmd`` after a ``--`` word; the child's own does not.
    """
    extra: dict[str, Any] = {}
    if account is not None:
        prepare_root(workdir, account)
        extra = {"user": account[0], "group": account[1], "extra_groups": []}
    return _Process(wrapped(cmd, workdir=workdir, cwd=cwd, mode=mode), stdin=subprocess.DEVNULL, stdout=stdout,
                    stderr=stdout, pass_fds=pass_fds, cwd=cwd, env=env, start_new_session=True, **extra)


# ------------------------------------------------------------------ root: a forked child enters the view


def fork_view(workdir: Path, python: str) -> dict[str, Any] | None:
    """What a child forked by the zygote should enter (:func:`enter_fork`); None when namespaces are off."""
    if _wanted() == "off" or sys.platform != "linux":
        return None
    return {"view": _view(workdir, python), "root": str(Path(workdir).resolve() / _ROOT_DIR)}


def enter_fork(spec: dict[str, Any], cwd: str) -> bool:
    """In a fresh fork: enter new namespaces and ``spec``'s view; True in the child, which runs on inside.

    The fork makes new mount, UTS, IPC, network and PID namespaces (a normal
    user also a user namespace, :func:`_unshare_all`), then waits as their
    parent while a second fork, PID 1 inside (:func:`_first_process`), mounts
    the view and reaps a third: the child, which returns here in a session of
    its own.  When PID 1 ends the kernel ends everything in the namespace; the
    waiting fork exits as the child did (killed by the same signal).

    False where the kernel refuses the namespaces: a normal user's fork must
    then not run student code; root's may, in the host's view, as its account.
    Root's child also returns False (in its PID namespace) when the view
    could not be built.
    """
    root = os.geteuid() == 0
    try:
        kernel = _Kernel()
        _unshare_all(kernel, spec["root"], user=not root)  # root needs no user namespace
    except (OSError, AttributeError):
        return False
    code = 125
    try:
        init = os.fork()
        if init == 0:
            try:
                child = _first_process(kernel, {**spec, "cwd": cwd}, host_view=root)
            except BaseException as exc:  # noqa: BLE001 - never run the child half set up
                _report(exc)
                os._exit(125)
            if child <= 0:
                if not root:
                    _drop_capabilities(kernel)  # what the user namespace gave; root's child drops its uid
                return child == 0  # the child itself, inside (-1: in the host's view)
            os._exit(_reap(child))
        code = _exit_code(os.waitpid(init, 0)[1])
    except BaseException as exc:  # noqa: BLE001 - never run the child half set up
        _report(exc)
    if 128 < code < 128 + signal.NSIG:  # the child was killed by a signal: so is this process
        with contextlib.suppress(OSError, ValueError):  # SIGKILL and SIGSTOP have no handler to reset
            signal.signal(code - 128, signal.SIG_DFL)
        os.kill(os.getpid(), code - 128)
    os._exit(code)


def can_enter() -> bool:
    """Whether a fork of this process can :func:`enter_fork` (tried once, in a fork)."""
    if not _ENTER:
        _ENTER.append(_try_enter())
    return _ENTER[0]


def _try_enter() -> bool:
    # root's forks enter the view in any mode but off; a normal user's make the kernel's namespaces themselves
    modes = ("auto", "kernel") if os.geteuid() else ("auto", "bwrap", "kernel")
    if sys.platform != "linux" or _wanted() not in modes:
        return False
    workdir = Path(tempfile.mkdtemp(prefix="grader-probe-"))
    try:
        work = workdir / "work"
        for sub in ("submission", "tmp"):
            (work / sub).mkdir(parents=True)
        canary = workdir / "canary"
        canary.touch()
        python = os.environ.get("GRADER_CHILD_PYTHON") or sys.executable
        spec = fork_view(work, python)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                entered = spec is not None and enter_fork(spec, str(work / "submission"))
                code = 0 if entered and not os.path.lexists(canary) and os.uname().nodename == "sandbox" else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status) == 0
    except OSError:
        return False
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------ kernel mode (the launcher script)

_CLONE = {"NEWNS": 0x00020000, "NEWUTS": 0x04000000, "NEWIPC": 0x08000000, "NEWUSER": 0x10000000,
          "NEWPID": 0x20000000, "NEWNET": 0x40000000}
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 16384, 1 << 18
_KEEP = ((os.ST_NOSUID, _MS_NOSUID), (os.ST_NODEV, _MS_NODEV), (os.ST_NOEXEC, _MS_NOEXEC),
         (1024, 1024), (2048, 2048), (4096, 1 << 21)) if hasattr(os, "ST_NOSUID") else ()
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
_PR_SET_PDEATHSIG = 1
_PR_CAPBSET_DROP, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


class _Kernel:
    """The few system calls the launcher needs, through libc."""

    def __init__(self) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                                    ctypes.c_char_p]

    def _check(self, result: int, what: str) -> None:
        if result != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"{what}: {os.strerror(err)}")

    def mount(self, source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
        enc = [None if s is None else s.encode() for s in (source, target, fstype, data)]
        self._check(self.libc.mount(enc[0], enc[1], enc[2], flags, enc[3]), f"mount {target}")

    def call(self, name: str, *args: Any) -> None:
        self._check(getattr(self.libc, name)(*args), name)

    def pivot_root(self) -> None:
        number = _PIVOT_ROOT.get(platform.machine())
        if number is None:
            raise OSError(f"pivot_root: unknown machine {platform.machine()}")
        self._check(self.libc.syscall(number, b".", b"."), "pivot_root")


def _bind(kernel: _Kernel, source: str, target: str, *, readonly: bool) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()  # noqa: SIM115 - a mount point
    kernel.mount(source, target, None, _MS_BIND | _MS_REC)
    if readonly:
        flags = _MS_REMOUNT | _MS_BIND | _MS_RDONLY
        have = os.statvfs(target).f_flag
        flags |= sum(ms for st, ms in _KEEP if have & st)  # locked flags must be kept
        kernel.mount(None, target, None, flags)


def _mount_view(kernel: _Kernel, view: list[list[str]], root: str) -> None:
    for kind, source, target in view:
        path = root + target
        if kind == "symlink":
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.symlink(source, path)
        elif kind in ("ro", "rw"):
            _bind(kernel, source, path, readonly=kind == "ro")
        elif kind == "tmpfs":
            os.makedirs(path, exist_ok=True)
            kernel.mount("tmpfs", path, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=1777")
        elif kind == "dev":
            os.makedirs(path, exist_ok=True)
            kernel.mount("tmpfs", path, "tmpfs", _MS_NOSUID, "mode=0755")
            for name in _DEVICES:
                if os.path.exists(f"/dev/{name}"):
                    _bind(kernel, f"/dev/{name}", f"{path}/{name}", readonly=False)
            for name, link in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                               ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
                os.symlink(link, f"{path}/{name}")
        elif kind == "proc":
            os.makedirs(path, exist_ok=True)
            with contextlib.suppress(OSError):  # a container may mask parts of /proc; Python runs without it
                kernel.mount("proc", path, "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)


def _enter(kernel: _Kernel, spec: dict[str, Any]) -> None:
    """In new mount and UTS namespaces: build the view on a tmpfs, pivot into it, read-only, ``cd`` to cwd."""
    kernel.mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    root = spec["root"]
    kernel.mount("tmpfs", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755")
    _mount_view(kernel, spec["view"], root)
    name = b"sandbox"
    kernel.call("sethostname", name, len(name))
    os.chdir(root)
    kernel.pivot_root()
    kernel.call("umount2", b".", 2)  # MNT_DETACH: the old root is gone
    os.chdir("/")
    kernel.mount(None, "/", None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    os.chdir(spec["cwd"])


def _unshare_all(kernel: _Kernel, root: str, *, user: bool = True) -> None:
    """New mount, UTS, IPC, network and PID namespaces; with ``user``, a user namespace mapping this uid and gid."""
    uid, gid = os.geteuid(), os.getegid()  # read before: inside, unmapped, they read as the overflow ids
    os.makedirs(root, mode=0o700, exist_ok=True)
    kernel.call("unshare", sum(_CLONE.values()) - (0 if user else _CLONE["NEWUSER"]))
    if not user:
        return
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)


def _first_process(kernel: _Kernel, spec: dict[str, Any], *, host_view: bool = False) -> int:
    """As PID 1 of new namespaces: build the view, pivot into it, fork the child.

    Returns 0 in the child (in a session of its own), its pid here.  With
    ``host_view`` a view that cannot be built is not fatal: the child then
    runs in the host's view, in ``cwd``, and gets -1 instead of 0.
    """
    kernel.call("prctl", _PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    entered = True
    try:
        _enter(kernel, spec)
    except OSError:
        if not host_view:
            raise
        os.chdir(spec["cwd"])
        entered = False
    child = os.fork()
    if child == 0:
        os.setsid()
        return 0 if entered else -1
    return child


def _drop_capabilities(kernel: _Kernel) -> None:
    """Give up every capability (bounding, ambient, effective, permitted, inheritable), or raise.

    A process that made a user namespace holds all capabilities inside it: a
    forked child that kept them could remount its read-only view writable
    (a new interpreter loses them at ``execve``, its uid not being 0 there).
    """
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text()) if os.path.exists(
        "/proc/sys/kernel/cap_last_cap") else 40
    for cap in range(last + 1):
        kernel.call("prctl", _PR_CAPBSET_DROP, cap, 0, 0, 0)
    kernel.call("prctl", _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    kernel.call("capset", ctypes.byref(header), data)
    with open("/proc/self/status") as status:
        held = [line for line in status if line.startswith(("CapEff:", "CapPrm:", "CapBnd:"))]
    if any(int(line.split()[1], 16) for line in held):
        raise OSError(f"capabilities still held: {' '.join(line.strip() for line in held)}")


def _exit_code(status: int) -> int:
    """A wait status as a launcher's exit code: the child's own, or 128+N when signal N killed it."""
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _reap(child: int) -> int:
    """Reap every process (PID 1 adopts the orphans) until ``child`` ends; its :func:`_exit_code`."""
    while True:
        pid, status = os.wait()
        if pid == child:
            return _exit_code(status)


def _report(exc: BaseException) -> None:
    with contextlib.suppress(OSError):
        os.write(2, f"sandbox: {exc}\n".encode())


def _init(kernel: _Kernel, spec: dict[str, Any], cmd: list[str]) -> int:
    """PID 1 of the new namespaces: build the view, pivot into it, run ``cmd``, reap, return its status."""
    child = _first_process(kernel, spec)
    if child == 0:
        os.execv(cmd[0], cmd)
    return _reap(child)


def _launch(argv: list[str]) -> int:
    """``namespaces.py SPEC -- CMD...``: run CMD as :func:`_init` of new namespaces; relay its status."""
    spec, cmd = json.loads(argv[0]), argv[2:]
    kernel = _Kernel()
    _unshare_all(kernel, spec["root"])
    pid = os.fork()
    if pid == 0:
        try:
            code = _init(kernel, spec, cmd)
        except BaseException as exc:  # noqa: BLE001 - report, never run the child half set up
            _report(exc)
            code = 125
        os._exit(code)
    return _exit_code(os.waitpid(pid, 0)[1])


if __name__ == "__main__":
    sys.exit(_launch(sys.argv[1:]))
